# The parameter contract of Microsoft's six cmdlets (module 2.x), as PowerShell itself reports it. The same table is
# checked statically by tests/tests/powershell_contract.rs.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Parameter sets of the compatible cmdlets' {
    # A function whose CmdletBinding names no default set reports $null, not '__AllParameterSets' (PowerShell's
    # FunctionInfo.cs, DefaultParameterSet). tests/tests/powershell_contract.rs checks this table against the module.
    It 'Should give <Command> the parameter sets <Sets> with default <Default>' -ForEach @(
        @{ Command = 'Get-MSCommercePolicies'; Sets = @('__AllParameterSets'); Default = $null }
        @{ Command = 'Get-MSCommercePolicy'; Sets = @('__AllParameterSets'); Default = $null }
        @{ Command = 'Get-MSCommerceProductPolicies'; Sets = @('__AllParameterSets'); Default = $null }
        @{ Command = 'Get-MSCommerceProductPolicy'; Sets = @('Product', 'OfferType'); Default = 'Product' }
        @{ Command = 'Update-MSCommerceProductPolicy'; Sets = @('ProductEnum', 'ProductToggle', 'OfferTypeEnum', 'OfferTypeToggle'); Default = 'ProductEnum' }
    ) {
        $command = Get-Command -Name $Command -Module 'MSCommerce'
        $actual = @($command.ParameterSets | ForEach-Object -Process { $_.Name })
        Compare-Object -ReferenceObject $Sets -DifferenceObject $actual | Should -BeNullOrEmpty
        $command.DefaultParameterSet | Should -Be $Default
    }

    It 'Should keep Microsoft''s parameter set of Connect-MSCommerce as the default set Interactive' {
        (Get-Command -Name 'Connect-MSCommerce' -Module 'MSCommerce').DefaultParameterSet | Should -Be 'Interactive'
    }
}

Describe 'Parameters of the compatible cmdlets' {
    It 'Should give <Command> -<Parameter> in set <Set>: mandatory <Mandatory>, position <Position>' -ForEach @(
        @{ Command = 'Connect-MSCommerce'; Parameter = 'ClientId'; Set = 'Interactive'; Mandatory = $false; Position = 0 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'RedirectUri'; Set = 'Interactive'; Mandatory = $false; Position = 1 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'Resource'; Set = 'Interactive'; Mandatory = $false; Position = 2 }
        @{ Command = 'Get-MSCommercePolicies'; Parameter = 'Token'; Set = '__AllParameterSets'; Mandatory = $false; Position = 0 }
        @{ Command = 'Get-MSCommercePolicy'; Parameter = 'PolicyId'; Set = '__AllParameterSets'; Mandatory = $true; Position = 0 }
        @{ Command = 'Get-MSCommercePolicy'; Parameter = 'Token'; Set = '__AllParameterSets'; Mandatory = $false; Position = 1 }
        @{ Command = 'Get-MSCommerceProductPolicies'; Parameter = 'PolicyId'; Set = '__AllParameterSets'; Mandatory = $true; Position = 0 }
        @{ Command = 'Get-MSCommerceProductPolicies'; Parameter = 'Token'; Set = '__AllParameterSets'; Mandatory = $false; Position = 1 }
        @{ Command = 'Get-MSCommerceProductPolicies'; Parameter = 'Scope'; Set = '__AllParameterSets'; Mandatory = $false; Position = 2 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'ClientId'; Set = 'Credential'; Mandatory = $false; Position = 0 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'RedirectUri'; Set = 'Credential'; Mandatory = $false; Position = 1 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'Resource'; Set = 'Credential'; Mandatory = $false; Position = 2 }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'Credential'; Set = 'Credential'; Mandatory = $true; Position = 3 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'PolicyId'; Set = 'Product'; Mandatory = $true; Position = 0 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'PolicyId'; Set = 'OfferType'; Mandatory = $true; Position = 0 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'ProductId'; Set = 'Product'; Mandatory = $true; Position = 1 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'OfferType'; Set = 'OfferType'; Mandatory = $true; Position = 1 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'Token'; Set = 'Product'; Mandatory = $false; Position = 2 }
        @{ Command = 'Get-MSCommerceProductPolicy'; Parameter = 'Token'; Set = 'OfferType'; Mandatory = $false; Position = 2 }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'PolicyId'; Set = 'ProductEnum'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'PolicyId'; Set = 'OfferTypeToggle'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'ProductId'; Set = 'ProductEnum'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'ProductId'; Set = 'ProductToggle'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'OfferType'; Set = 'OfferTypeEnum'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'OfferType'; Set = 'OfferTypeToggle'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Value'; Set = 'ProductEnum'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Value'; Set = 'OfferTypeEnum'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Enabled'; Set = 'ProductToggle'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Enabled'; Set = 'OfferTypeToggle'; Mandatory = $true; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Token'; Set = 'ProductEnum'; Mandatory = $false; Position = [int]::MinValue }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Token'; Set = 'OfferTypeToggle'; Mandatory = $false; Position = [int]::MinValue }
    ) {
        $command = Get-Command -Name $Command -Module 'MSCommerce'
        $command.Parameters.Keys | Should -Contain $Parameter
        $metadata = $command.Parameters[$Parameter].ParameterSets[$Set]
        $metadata | Should -Not -BeNullOrEmpty -Because "-$Parameter belongs to the set $Set"
        $metadata.IsMandatory | Should -Be $Mandatory
        $metadata.Position | Should -Be $Position
    }

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

    It 'Should give <Command> -<Parameter> the type <Type>' -ForEach @(
        @{ Command = 'Connect-MSCommerce'; Parameter = 'RedirectUri'; Type = [uri] }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'ClientId'; Type = [string] }
        @{ Command = 'Connect-MSCommerce'; Parameter = 'Resource'; Type = [string] }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Enabled'; Type = [string] }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'Value'; Type = [string] }
        @{ Command = 'Update-MSCommerceProductPolicy'; Parameter = 'ProductId'; Type = [string[]] }
        @{ Command = 'Get-MSCommerceProductPolicies'; Parameter = 'Scope'; Type = [string] }
    ) {
        (Get-Command -Name $Command -Module 'MSCommerce').Parameters[$Parameter].ParameterType | Should -Be $Type
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
