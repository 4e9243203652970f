# Module health: manifest and exports, help for every function, file hygiene, one HTTP entry point, clean
# PSScriptAnalyzer, nothing written at import.

BeforeDiscovery {
    $moduleRoot = (Resolve-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce')).ProviderPath
    $script:publicFunctions = @(Get-ChildItem -Path (Join-Path -Path $moduleRoot -ChildPath 'Public') -Filter '*.ps1' |
            ForEach-Object -Process { @{ Name = $_.BaseName } })
    $script:moduleFiles = @(Get-ChildItem -Path $moduleRoot -Recurse -File -Include '*.ps1', '*.psm1', '*.psd1', '*.ps1xml', '*.txt' |
            ForEach-Object -Process { @{ Name = $_.FullName.Substring($moduleRoot.Length + 1); Path = $_.FullName } })
    $script:privateFiles = @(Get-ChildItem -Path (Join-Path -Path $moduleRoot -ChildPath 'Private') -Filter '*.ps1' |
            ForEach-Object -Process { @{ Name = $_.BaseName; Path = $_.FullName } })
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    $script:moduleRoot = (Resolve-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce')).ProviderPath
    $script:manifestPath = Get-MSCommerceTestModulePath
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Manifest and exports' {
    BeforeAll {
        Import-MSCommerceTestModule
        $script:manifest = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $script:publicNames = @(Get-ChildItem -Path (Join-Path -Path $moduleRoot -ChildPath 'Public') -Filter '*.ps1' | ForEach-Object -Process { $_.BaseName })
    }

    It 'Should be a valid manifest for Windows PowerShell 5.1 and PowerShell 7' {
        # Above Microsoft's newest MSCommerce (3.0.1), so that scripts with
        # #Requires -Modules @{ModuleName='MSCommerce'; ModuleVersion='2.0'} or -MinimumVersion 2.0 accept it.
        $manifest.Version | Should -BeGreaterThan ([version]'3.0.1')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        @($manifest.CompatiblePSEditions) | Should -Be @('Desktop', 'Core')
    }

    It 'Should have a section for its version in powershell/CHANGELOG.md' {
        $changelog = Get-Content -Path (Join-Path -Path $moduleRoot -ChildPath '../CHANGELOG.md') -Raw
        $changelog | Should -Match ('(?m)^## ' + [regex]::Escape($manifest.Version.ToString()))
    }

    It 'Should list exactly the Public/ functions in FunctionsToExport' {
        $listed = @((Import-PowerShellDataFile -Path $manifestPath).FunctionsToExport)
        $listed | Should -Not -Contain '*'
        Compare-Object -ReferenceObject $publicNames -DifferenceObject $listed | Should -BeNullOrEmpty
    }

    It 'Should export exactly the Public/ functions and nothing else' {
        $module = Get-Module -Name 'MSCommerce'
        Compare-Object -ReferenceObject $publicNames -DifferenceObject @($module.ExportedFunctions.Keys) | Should -BeNullOrEmpty
        $module.ExportedCmdlets.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }

    It 'Should write nothing to any stream when imported' {
        Get-Module -Name 'MSCommerce' -All | Remove-Module -Force
        $output = & { Import-Module -Name $manifestPath -Force } *>&1
        $output | Should -BeNullOrEmpty
    }

    It 'Should load a table view for <_>' -ForEach @(
        'MSCommerce.Policy'
        'MSCommerce.ProductPolicy'
        'MSCommerce.OfferTypePolicy'
        'MSCommerce.AuditEntry'
        'MSCommerce.BaselineChange'
        'MSCommerce.Subscription'
        'MSCommerce.AssignedUser'
        'MSCommerce.ProductLicense'
        'MSCommerce.LicenseHolder'
        'MSCommerce.MoveResult'
        'MSCommerce.AuditEvent'
        'MSCommerce.User'
        'MSCommerce.Domain'
        'MSCommerce.AcquisitionDecision'
        'MSCommerce.LicenseRequest'
        'MSCommerce.LicenseRequestUser'
        'MSCommerce.LicenseRequestSetting'
        'MSCommerce.LicenseRequestShare'
    ) {
        Get-FormatData -TypeName $_ | Should -Not -BeNullOrEmpty
    }

    It 'Should have a table view for every MSCommerce type a command declares in OutputType' {
        $declared = @(Get-Command -Module 'MSCommerce' | ForEach-Object -Process { $_.OutputType.Name } | Where-Object -FilterScript { $_ -like 'MSCommerce.*' } | Sort-Object -Unique)
        $declared.Count | Should -BeGreaterThan 5
        foreach ($typeName in $declared) {
            Get-FormatData -TypeName $typeName | Should -Not -BeNullOrEmpty -Because "$typeName is an output type"
        }
    }

    It 'Should use only approved verbs' {
        $approved = @(Get-Verb | ForEach-Object -Process { $_.Verb })
        foreach ($command in Get-Command -Module 'MSCommerce') {
            $approved | Should -Contain $command.Verb -Because "$($command.Name) must use an approved verb"
        }
    }

    It 'Should support -WhatIf and -Confirm on every command that changes something, ConfirmImpact High on take-overs' {
        $changing = @('Set', 'Update', 'Move', 'Stop', 'Remove', 'New', 'Export', 'Add', 'Clear', 'Reset', 'Disable', 'Enable')
        foreach ($command in Get-Command -Module 'MSCommerce' | Where-Object -FilterScript { $changing -contains $_.Verb }) {
            $command.Parameters.Keys | Should -Contain 'WhatIf' -Because "$($command.Name) changes something"
            $command.Parameters.Keys | Should -Contain 'Confirm' -Because "$($command.Name) changes something"
        }
        foreach ($name in @('Move-MSCommerceSubscriptionUser', 'Stop-MSCommerceSubscription', 'New-MSCommerceSubscription', 'Remove-MSCommerceSubscriptionUser', 'Set-MSCommerceSubscription', 'Disable-MSCommerceSubscription', 'New-MSCommercePurchase')) {
            $binding = (Get-Command -Name $name -Module 'MSCommerce').ScriptBlock.Attributes |
                Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
            $binding.ConfirmImpact | Should -Be 'High' -Because "$name cannot be undone or spends money"
        }
    }
}

Describe 'Help of <Name>' -ForEach $publicFunctions {
    BeforeAll {
        Import-MSCommerceTestModule
        $script:help = Get-Help -Name $Name -Full
        $script:command = Get-Command -Name $Name -Module 'MSCommerce'
    }

    It 'Should have a synopsis' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
    }

    It 'Should have a description of more than 40 characters' {
        ($help.Description | Out-String).Trim().Length | Should -BeGreaterThan 40
    }

    It 'Should have at least two examples, one of them piped' {
        $examples = @($help.Examples.Example)
        $examples.Count | Should -BeGreaterOrEqual 2
        @($examples | Where-Object -FilterScript { $_.Code -match '\|' }).Count | Should -BeGreaterOrEqual 1
    }

    It 'Should describe every parameter' {
        $common = @([System.Management.Automation.PSCmdlet]::CommonParameters) + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters)
        foreach ($parameter in $command.Parameters.Keys | Where-Object -FilterScript { $common -notcontains $_ }) {
            $entry = $help.Parameters.Parameter | Where-Object -FilterScript { $_.Name -eq $parameter }
            ($entry.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a description"
        }
    }

    It 'Should declare OutputType' {
        $command.OutputType.Count | Should -BeGreaterThan 0
    }
}

Describe 'Private function <Name>' -ForEach $privateFiles {
    It 'Should define one function named like its file, with a synopsis and a description' {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        $functions = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false))
        $functions.Count | Should -Be 1
        $functions[0].Name | Should -Be $Name
        $helpContent = $functions[0].GetHelpContent()
        $helpContent.Synopsis | Should -Not -BeNullOrEmpty
        $helpContent.Description | Should -Not -BeNullOrEmpty
    }
}

Describe 'File <Name>' -ForEach $moduleFiles {
    BeforeAll {
        $script:bytes = [System.IO.File]::ReadAllBytes($Path)
        $script:text = [System.IO.File]::ReadAllText($Path)
    }

    It 'Should be ASCII only' {
        @($bytes | Where-Object -FilterScript { $_ -gt 127 }).Count | Should -Be 0
    }

    It 'Should have no tabs and no trailing whitespace' {
        $text | Should -Not -Match "`t"
        $text | Should -Not -Match '[ \t]+\r?\n'
    }

    It 'Should parse without errors' -Skip:($Path -notmatch '\.ps(m|d)?1$') {
        $tokens = $null
        $errors = $null
        $null = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
    }
}

Describe 'Code rules' {
    BeforeAll {
        $script:asts = @(Get-ChildItem -Path $moduleRoot -Recurse -File -Include '*.ps1', '*.psm1' | ForEach-Object -Process {
                $tokens = $null
                $errors = $null
                [pscustomobject]@{
                    Name = $_.Name
                    Ast  = [System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref]$tokens, [ref]$errors)
                }
            })
    }

    It 'Should call Invoke-WebRequest and Invoke-RestMethod only from Invoke-MSCommerceRestMethod.ps1' {
        $callers = foreach ($file in $asts) {
            $calls = $file.Ast.FindAll({
                    param($node)
                    $node -is [System.Management.Automation.Language.CommandAst] -and
                    @('Invoke-WebRequest', 'Invoke-RestMethod', 'iwr', 'irm', 'curl', 'wget') -contains $node.GetCommandName()
                }, $true)
            if (@($calls).Count -gt 0) {
                $file.Name
            }
        }
        @($callers) | Should -Be @('Invoke-MSCommerceRestMethod.ps1')
    }

    It 'Should never use Write-Host or Write-Output' {
        foreach ($file in $asts) {
            $calls = $file.Ast.FindAll({
                    param($node)
                    $node -is [System.Management.Automation.Language.CommandAst] -and
                    @('Write-Host', 'Write-Output', 'echo') -contains $node.GetCommandName()
                }, $true)
            @($calls).Count | Should -Be 0 -Because "$($file.Name) must keep status lines off the pipeline"
        }
    }

    # A missing analyzer fails the test instead of skipping it, so that no run passes without the analysis.
    It 'Should pass PSScriptAnalyzer with powershell/PSScriptAnalyzerSettings.psd1' {
        Get-Module -ListAvailable -Name 'PSScriptAnalyzer' |
            Should -Not -BeNullOrEmpty -Because 'the analysis must run; Invoke-MSCommerceTests.ps1 installs PSScriptAnalyzer 1.23.0'
        $settings = Join-Path -Path $PSScriptRoot -ChildPath '../../PSScriptAnalyzerSettings.psd1'
        $findings = @(Invoke-ScriptAnalyzer -Path $moduleRoot -Recurse -Settings $settings)
        $report = ($findings | ForEach-Object -Process { '{0}:{1} {2} {3}' -f $_.ScriptName, $_.Line, $_.RuleName, $_.Message }) -join [System.Environment]::NewLine
        $findings.Count | Should -Be 0 -Because $report
    }
}

Describe 'Tests' {
    It 'Should have a unit test file for <Name>' -ForEach $publicFunctions {
        Join-Path -Path $PSScriptRoot -ChildPath "../Unit/$Name.Tests.ps1" | Should -Exist
    }
}
