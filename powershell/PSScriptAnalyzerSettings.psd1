# PSScriptAnalyzer settings for the MSCommerce module:
#   Invoke-ScriptAnalyzer -Path ./powershell/MSCommerce -Recurse -Settings ./powershell/PSScriptAnalyzerSettings.psd1
# The QA tests (powershell/tests/QA/Module.Tests.ps1) run it and fail on any finding.
@{
    Severity     = @('Error', 'Warning', 'Information')

    ExcludeRules = @(
        # Get-MSCommercePolicies and Get-MSCommerceProductPolicies are the names of Microsoft's cmdlets; renaming
        # them would break the scripts this module exists to keep working.
        'PSUseSingularNouns'
    )

    Rules        = @{
        # The module must parse on Windows PowerShell 5.1 and on PowerShell 7.
        PSUseCompatibleSyntax      = @{
            Enable         = $true
            TargetVersions = @('5.1', '7.0')
        }

        PSPlaceOpenBrace           = @{
            Enable             = $true
            OnSameLine         = $true
            NewLineAfter       = $true
            IgnoreOneLineBlock = $true
        }

        PSPlaceCloseBrace          = @{
            Enable             = $true
            NewLineAfter       = $true
            IgnoreOneLineBlock = $true
            NoEmptyLineBefore  = $false
        }

        PSUseConsistentIndentation = @{
            Enable              = $true
            Kind                = 'space'
            IndentationSize     = 4
            PipelineIndentation = 'IncreaseIndentationForFirstPipeline'
        }

        PSUseConsistentWhitespace  = @{
            Enable          = $true
            CheckInnerBrace = $true
            CheckOpenBrace  = $true
            CheckOpenParen  = $true
            CheckOperator   = $false
            CheckPipe       = $true
            CheckSeparator  = $true
        }

        PSAlignAssignmentStatement = @{
            Enable         = $true
            CheckHashtable = $true
        }

        PSAvoidUsingCmdletAliases  = @{
            Enable = $true
        }
    }
}
