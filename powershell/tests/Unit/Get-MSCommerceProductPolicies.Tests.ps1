BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceProductPolicies' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            if ($Query.scope -eq 'OfferType') {
                return [pscustomobject]@{
                    items = @(
                        [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; scope = 'OfferType'; scopeId = 'SaaS'; scopeValue = 'Software as a Service' }
                    )
                }
            }
            [pscustomobject]@{
                items = @(
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = 'CFQ7TTC0H9MP'; productName = 'Power BI Pro'; scope = 'product' }
                    [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Disabled'; productId = 'CFQ7TTC0HDB1'; productName = 'Project Plan 1'; scope = 'product' }
                )
            }
        }
    }

    It 'Should read 2.x''s positional scope <Scope> as -Scope, not as 1.x''s -Token' -ForEach @(
        @{ Scope = 'OfferType' }
        @{ Scope = 'product' }
    ) {
        $null = Get-MSCommerceProductPolicies 'AllowSelfServicePurchase' $Scope
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Query.scope -eq $Scope -and [string]::IsNullOrEmpty($Token)
        }
    }

    It 'Should keep 1.x''s positional token as -Token' {
        $null = Get-MSCommerceProductPolicies 'AllowSelfServicePurchase' 'header.payload.signature'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Query.scope -eq 'product' -and $Token -eq 'header.payload.signature'
        }
    }

    It 'Should read -Scope <Label> as product, as Microsoft''s 2.x did' -ForEach @(
        @{ Label = "''"; Value = '' }
        @{ Label = '$null'; Value = $null }
    ) {
        $null = Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' -Scope $Value -Token 'header.payload.signature'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Query.scope -eq 'product'
        }
    }

    It 'Should send scope=product by default, like Microsoft''s module 2.x' {
        $null = Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and
            $Path -eq '/v1.0/policies/{policyId}/products' -and
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and
            $Query.scope -eq 'product' -and
            $ErrorContext -eq "Failed to retrieve product policy with PolicyId 'AllowSelfServicePurchase'"
        }
    }

    It 'Should return MSCommerce.ProductPolicy objects with Microsoft''s property names' {
        $products = @(Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase')
        $products.Count | Should -Be 2
        $products[0].PSObject.TypeNames | Should -Contain 'MSCommerce.ProductPolicy'
        @($products[0].PSObject.Properties.Name) | Should -Be @('PolicyId', 'PolicyValue', 'ProductName', 'ProductId')
        $products[1].PolicyValue | Should -Be 'Disabled'
    }

    It 'Should pass -Scope through and return MSCommerce.OfferTypePolicy objects' {
        $offerTypes = @(Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' -Scope 'OfferType')
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Query.scope -eq 'OfferType' }
        $offerTypes[0].PSObject.TypeNames | Should -Contain 'MSCommerce.OfferTypePolicy'
        @($offerTypes[0].PSObject.Properties.Name) | Should -Be @('PolicyId', 'PolicyValue', 'Scope', 'ScopeValue', 'ScopeId')
        $offerTypes[0].ScopeId | Should -Be 'SaaS'
    }

    It 'Should bind PolicyId, Token and Scope by position' {
        $null = Get-MSCommerceProductPolicies 'AllowSelfServicePurchase' 'raw-jwt' 'OfferType'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and $Token -eq 'raw-jwt' -and $Query.scope -eq 'OfferType'
        }
    }

    It 'Should write nothing but the objects' {
        $everything = @(Get-MSCommerceProductPolicies -PolicyId 'AllowSelfServicePurchase' *>&1)
        $everything.Count | Should -Be 2
        $everything | ForEach-Object -Process { $_.PSObject.TypeNames | Should -Contain 'MSCommerce.ProductPolicy' }
    }

    It 'Should list each customer''s values with its own token with -TenantId, and go on past a customer that fails' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommerceTenantToken' -MockWith {
            if ($TenantId -eq 'ended.example') {
                $exception = New-Object -TypeName System.UnauthorizedAccessException -ArgumentList 'no active delegated admin relationship'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'invalid_grant', 'AuthenticationError', $TenantId)
            }
            "token-for-$TenantId"
        }
        $splatList = @{
            PolicyId      = 'AllowSelfServicePurchase'
            TenantId      = 'fabrikam.example', 'ended.example', 'tailspin.example'
            ErrorVariable = 'failures'
            ErrorAction   = 'SilentlyContinue'
        }
        $products = @(Get-MSCommerceProductPolicies @splatList)
        $products.Count | Should -Be 4
        @($products | ForEach-Object -Process { $_.TenantId } | Select-Object -Unique) | Should -Be @('fabrikam.example', 'tailspin.example')
        $products[0].PSObject.TypeNames | Should -Contain 'MSCommerce.ProductPolicy'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'invalid_grant*'
        foreach ($tenant in 'fabrikam.example', 'tailspin.example') {
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq "token-for-$tenant" }
        }
    }
}
