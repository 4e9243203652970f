BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommercePolicy' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = $PathParameter.policyId; description = 'Self-service purchase'; defaultValue = 'Enabled' }
        }
    }

    It 'Should GET /v1.0/policies/{policyId}' {
        $policy = Get-MSCommercePolicy -PolicyId 'AllowSelfServicePurchase'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and
            $Path -eq '/v1.0/policies/{policyId}' -and
            $PathParameter.policyId -eq 'AllowSelfServicePurchase' -and
            $ErrorContext -eq "Failed to retrieve policy with PolicyId 'AllowSelfServicePurchase'"
        }
        $policy.PSObject.TypeNames | Should -Contain 'MSCommerce.Policy'
        $policy.DefaultValue | Should -Be 'Enabled'
    }

    It 'Should take PolicyId from piped objects' {
        $piped = @([pscustomobject]@{ PolicyId = 'AllowSelfServicePurchase' }, [pscustomobject]@{ PolicyId = 'OtherPolicy' })
        $result = @($piped | Get-MSCommercePolicy)
        $result.Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.policyId -eq 'OtherPolicy' }
    }

    It 'Should refuse an empty PolicyId before any call' {
        { Get-MSCommercePolicy -PolicyId '' } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report an empty answer as EmptyResponse, not as a parameter binding error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { $null }
        $result = Get-MSCommercePolicy -PolicyId 'AllowSelfServicePurchase' -ErrorVariable failures -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'EmptyResponse*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidResult'
    }

    It 'Should give $null, as Microsoft''s module did, for a field the service left out' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = 'AllowSelfServicePurchase'; defaultValue = 'Enabled' }
        }
        $policy = Get-MSCommercePolicy -PolicyId 'AllowSelfServicePurchase'
        $null -eq $policy.Description | Should -BeTrue
    }

    It 'Should report an unknown policy as ObjectNotFound' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $exception = New-Object -TypeName System.Management.Automation.ItemNotFoundException -ArgumentList "Failed to retrieve policy with PolicyId 'Nope', ErrorMessage - 404 ErrorDetails - {}"
            throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'PolicyNotFound', 'ObjectNotFound', 'Nope')
        }
        $null = Get-MSCommercePolicy -PolicyId 'Nope' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].Exception.Message | Should -BeLike "Failed to retrieve policy with PolicyId 'Nope'*"
    }
}
