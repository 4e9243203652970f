BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommercePolicies' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                items = @(
                    [pscustomobject]@{ id = 'AllowSelfServicePurchase'; description = 'Self-service purchase'; defaultValue = 'Enabled' }
                )
            }
        }
    }

    It 'Should GET /v1.0/policies' {
        $null = Get-MSCommercePolicies
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/policies' -and $ErrorContext -eq 'Failed to retrieve policies'
        }
    }

    It 'Should return MSCommerce.Policy objects with PolicyId, Description and DefaultValue' {
        $policies = @(Get-MSCommercePolicies)
        $policies.Count | Should -Be 1
        $policies[0].PSObject.TypeNames | Should -Contain 'MSCommerce.Policy'
        $policies[0].PolicyId | Should -Be 'AllowSelfServicePurchase'
        $policies[0].Description | Should -Be 'Self-service purchase'
        $policies[0].DefaultValue | Should -Be 'Enabled'
        @($policies[0].PSObject.Properties.Name) | Should -Be @('PolicyId', 'Description', 'DefaultValue')
    }

    It 'Should pass -Token through, also positionally' {
        $null = Get-MSCommercePolicies 'raw-jwt'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
    }

    It 'Should feed Get-MSCommerceProductPolicies through the pipeline' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/policies/{policyId}/products' } -MockWith {
            [pscustomobject]@{ items = @() }
        }
        Get-MSCommercePolicies | Get-MSCommerceProductPolicies
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies/{policyId}/products' -and $PathParameter.policyId -eq 'AllowSelfServicePurchase'
        }
    }

    It 'Should report a failure as a non-terminating error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $exception = New-Object -TypeName System.InvalidOperationException -ArgumentList 'Failed to retrieve policies, ErrorMessage - 500 ErrorDetails - {"errorCode":"InternalError"}'
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'InternalError', 'NotSpecified', $null)
        }
        $result = Get-MSCommercePolicies -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failures[0].Exception.Message | Should -BeLike 'Failed to retrieve policies, ErrorMessage - *'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InternalError*'
    }
}
