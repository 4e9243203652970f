BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceProductPolicy' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            if ($Path -like '*/offerTypes/*') {
                return [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; scope = 'OfferType'; scopeId = $PathParameter.offerType; scopeValue = 'Software as a Service' }
            }
            [pscustomobject]@{ policyId = 'AllowSelfServicePurchase'; policyValue = 'Enabled'; productId = $PathParameter.productId; productName = 'A product'; scope = 'product' }
        }
    }

    It 'Should GET /v1.0/policies/{policyId}/products/{productId}' {
        $result = Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and
            $Path -eq '/v1.0/policies/{policyId}/products/{productId}' -and
            $PathParameter.productId -eq 'CFQ7TTC0H9MP' -and
            $ErrorContext -eq "Failed to retrieve product policy with PolicyId 'AllowSelfServicePurchase' ProductId 'CFQ7TTC0H9MP'"
        }
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.ProductPolicy'
    }

    It 'Should read every product of -ProductId' {
        $result = @(Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'CFQ7TTC0H9MP', 'CFQ7TTC0HDB1', 'CFQ7TTC0LH2H')
        $result.Count | Should -Be 3
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 3 -Exactly
    }

    It 'Should GET /v1.0/policies/{policyId}/offerTypes/{offerType} with -OfferType' {
        $result = Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -OfferType 'SaaS'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies/{policyId}/offerTypes/{offerType}' -and $PathParameter.offerType -eq 'SaaS'
        }
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.OfferTypePolicy'
    }

    It 'Should take PolicyId and ProductId, or ScopeId, from piped objects' {
        $piped = @(
            [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; ProductId = 'CFQ7TTC0H9MP' }
            [pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase'; ScopeId = 'DYNAMICSBC' }
        )
        $result = @($piped | Get-MSCommerceProductPolicy)
        $result.Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.offerType -eq 'DYNAMICSBC' }
    }

    It 'Should report a missing product and still read the next one' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.productId -eq 'NOPE' } -MockWith {
            $exception = New-Object -TypeName System.Management.Automation.ItemNotFoundException -ArgumentList 'not found'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'ProductNotFound', 'ObjectNotFound', 'NOPE')
        }
        $result = @(Get-MSCommerceProductPolicy -PolicyId 'AllowSelfServicePurchase' -ProductId 'NOPE', 'CFQ7TTC0H9MP' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures[0].TargetObject | Should -Be 'NOPE'
    }
}
