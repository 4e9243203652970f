# The parameter contract of every public command, as PowerShell itself reports it, read from the same file that
# tests/tests/powershell_contract.rs checks against the source: powershell/tests/Contract.json.

BeforeDiscovery {
    $contract = Get-Content -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../Contract.json') -Raw | ConvertFrom-Json
    $commandCases = @(foreach ($entry in $contract.cmdlets) { @{ Command = $entry.name; Contract = $entry } })
    $parameterCases = @(
        foreach ($entry in $contract.cmdlets) {
            foreach ($parameter in @($entry.parameters)) {
                @{
                    Command     = $entry.name
                    Parameter   = $parameter.name
                    Type        = $parameter.type
                    Aliases     = @($parameter.aliases)
                    ValidateSet = $parameter.validateSet
                }
            }
        }
    )
    $membershipCases = @(
        foreach ($entry in $contract.cmdlets) {
            foreach ($parameter in @($entry.parameters)) {
                foreach ($membership in @($parameter.sets)) {
                    @{
                        Command        = $entry.name
                        Parameter      = $parameter.name
                        Set            = $membership.set
                        Mandatory      = $membership.mandatory
                        Position       = $membership.position
                        ByPropertyName = $membership.byPropertyName
                    }
                }
            }
        }
    )
}

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'The parameter contract of Contract.json' {
    # A command whose CmdletBinding names no default set reports $null, not '__AllParameterSets' (PowerShell's
    # FunctionInfo.cs, DefaultParameterSet).
    It 'Should give <Command> the default set, parameter sets, ShouldProcess and ConfirmImpact of the contract' -ForEach $commandCases {
        $command = Get-Command -Name $Command -Module 'MSCommerce'
        $command.DefaultParameterSet | Should -Be $Contract.defaultParameterSet

        $common = @([System.Management.Automation.Cmdlet]::CommonParameters) + @([System.Management.Automation.Cmdlet]::OptionalCommonParameters)
        $expectedSets = @($Contract.parameters | ForEach-Object -Process { $_.sets } | ForEach-Object -Process { $_.set } | Sort-Object -Unique)
        if ($expectedSets.Count -eq 0) {
            $expectedSets = @('__AllParameterSets')
        }
        $actualSets = @($command.ParameterSets | ForEach-Object -Process { $_.Name })
        # Sorted and joined rather than Compare-Object, which refuses an empty list on Windows PowerShell 5.1.
        (@($actualSets | Sort-Object) -join ', ') | Should -Be (@($expectedSets | Sort-Object) -join ', ')
        foreach ($set in $command.ParameterSets) {
            $expectedNames = @($Contract.parameters | Where-Object -FilterScript { @($_.sets | ForEach-Object -Process { $_.set }) -contains $set.Name } | ForEach-Object -Process { $_.name })
            $actualNames = @($set.Parameters | Where-Object -FilterScript { $common -notcontains $_.Name } | ForEach-Object -Process { $_.Name })
            (@($actualNames | Sort-Object) -join ', ') | Should -Be (@($expectedNames | Sort-Object) -join ', ') -Because "the set $($set.Name) has exactly the contract's parameters"
        }

        $command.Parameters.ContainsKey('WhatIf') | Should -Be $Contract.supportsShouldProcess
        $binding = $command.ScriptBlock.Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $expectedImpact = $Contract.confirmImpact
        if ($null -eq $expectedImpact) {
            # CmdletBindingAttribute's default.
            $expectedImpact = 'Medium'
        }
        [string]$binding.ConfirmImpact | Should -Be $expectedImpact
    }

    It 'Should give <Command> -<Parameter> in set <Set>: mandatory <Mandatory>, position <Position>, by property name <ByPropertyName>' -ForEach $membershipCases {
        $command = Get-Command -Name $Command -Module 'MSCommerce'
        # Not $set: variable names ignore case, so it would replace the test's $Set.
        $parameterSet = $command.ParameterSets | Where-Object -FilterScript { $_.Name -eq $Set }
        $parameterSet | Should -Not -BeNullOrEmpty -Because "$Command has the parameter set $Set"
        $info = $parameterSet.Parameters | Where-Object -FilterScript { $_.Name -eq $Parameter }
        $info | Should -Not -BeNullOrEmpty -Because "-$Parameter belongs to the set $Set"
        $info.IsMandatory | Should -Be $Mandatory
        $expectedPosition = $Position
        if ($null -eq $expectedPosition) {
            # What PowerShell reports for a parameter without a position ("Named").
            $expectedPosition = [int]::MinValue
        }
        $info.Position | Should -Be $expectedPosition
        $info.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
    }

    It 'Should give <Command> -<Parameter> the type <Type>, its aliases and its ValidateSet' -ForEach $parameterCases {
        $metadata = (Get-Command -Name $Command -Module 'MSCommerce').Parameters[$Parameter]
        $metadata | Should -Not -BeNullOrEmpty
        $metadata.ParameterType.FullName | Should -Be $Type
        $expectedAliases = @($Aliases | Where-Object -FilterScript { $null -ne $_ } | Sort-Object) -join ', '
        (@($metadata.Aliases | Sort-Object) -join ', ') | Should -Be $expectedAliases
        $validateSet = $metadata.Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        if ($null -eq $ValidateSet) {
            $validateSet | Should -BeNullOrEmpty
        }
        else {
            (@($validateSet.ValidValues | Sort-Object) -join ', ') | Should -Be (@($ValidateSet | Sort-Object) -join ', ')
        }
    }
}

Describe 'Behaviour of the compatible cmdlets' {
    It 'Should keep <Parameter> out of the set <Set> of Update-MSCommerceProductPolicy' -ForEach @(
        @{ Parameter = 'Value'; Set = 'ProductToggle' }
        @{ Parameter = 'Value'; Set = 'OfferTypeToggle' }
        @{ Parameter = 'Enabled'; Set = 'ProductEnum' }
        @{ Parameter = 'Enabled'; Set = 'OfferTypeEnum' }
        @{ Parameter = 'ProductId'; Set = 'OfferTypeEnum' }
        @{ Parameter = 'OfferType'; Set = 'ProductEnum' }
    ) {
        $command = Get-Command -Name 'Update-MSCommerceProductPolicy' -Module 'MSCommerce'
        $command.Parameters[$Parameter].ParameterSets.Keys | Should -Not -Contain $Set
    }

    It 'Should limit -Value of Update-MSCommerceProductPolicy to the three policy values' {
        $attribute = (Get-Command -Name 'Update-MSCommerceProductPolicy').Parameters['Value'].Attributes |
            Where-Object -FilterScript { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $expected = @('Enabled', 'Disabled', 'OnlyTrialsWithoutPaymentMethod')
        Compare-Object -ReferenceObject $expected -DifferenceObject @($attribute.ValidValues) | Should -BeNullOrEmpty
    }

    It 'Should make Update-MSCommerceProductPolicy support -WhatIf and -Confirm with ConfirmImpact Medium' {
        $command = Get-Command -Name 'Update-MSCommerceProductPolicy'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $binding = $command.ScriptBlock.Attributes | Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'Medium'
    }

    It 'Should accept 1.x''s -AdminAccount as an alias of -Credential' {
        (Get-Command -Name 'Connect-MSCommerce').Parameters['Credential'].Aliases | Should -Contain 'AdminAccount'
    }

    It 'Should bind 1.x''s positional call of Get-MSCommerceProductPolicy with PolicyId, ProductId and Token' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
        }
        $null = Get-MSCommerceProductPolicy 'AllowSelfServicePurchase' 'CFQ7TTC0H9MP' 'token-positional'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies/{policyId}/products/{productId}' -and
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and $PathParameter.productId -eq 'CFQ7TTC0H9MP' -and
            $Token -eq 'token-positional'
        }
    }

    It 'Should bind the old positional call of Get-MSCommercePolicy with PolicyId and Token' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = 'AllowSelfServicePurchase'; description = 'd'; defaultValue = 'Enabled' }
        }
        $null = Get-MSCommercePolicy 'AllowSelfServicePurchase' 'token-positional'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and $Token -eq 'token-positional'
        }
    }
}
