BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Deny-MSCommerceLicenseRequest' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            New-MSCommerceTestLicenseRequest -Id $PathParameter.requestId -Status 'Denied'
        }
    }

    It 'Should send the message to deny and return the denied request' {
        $result = Deny-MSCommerceLicenseRequest -RequestId 'q1' -Message 'Use the shared licenses.' -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequest'
        $result.Status | Should -Be 'Denied'
        @($result.Users | Where-Object -Property Outcome -EQ 'Denied').Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/licenseRequests/{requestId}/deny' -and
            $PathParameter.requestId -eq 'q1' -and $Body.message -eq 'Use the shared licenses.' -and $TargetObject -eq 'q1'
        }
    }

    It 'Should send an empty body without -Message' {
        $null = Deny-MSCommerceLicenseRequest -RequestId 'q1' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { @($Body.Keys).Count -eq 0 }
    }

    It 'Should deny each piped request by its <Property> property, and nothing with -WhatIf' -ForEach @(
        @{ Property = 'RequestId' }
        @{ Property = 'Id' }
    ) {
        $piped = @('q1', 'q2') | ForEach-Object -Process { [pscustomobject]@{ $Property = $_ } }
        $piped | Deny-MSCommerceLicenseRequest -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($piped | Deny-MSCommerceLicenseRequest -Confirm:$false).Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.requestId -eq 'q2' }
    }

    It 'Should report a request answered already (LicenseRequestAnswered) as a non-terminating error and go on' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.requestId -eq 'done' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'LicenseRequestAnswered' -Category 'InvalidOperation' -TargetObject 'done')
        }
        $rows = @([pscustomobject]@{ RequestId = 'done' }, [pscustomobject]@{ RequestId = 'q2' })
        $result = @($rows | Deny-MSCommerceLicenseRequest -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LicenseRequestAnswered*'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'Should refuse an empty message and one longer than 1000 characters before any call' {
        { Deny-MSCommerceLicenseRequest -RequestId 'q1' -Message '' -Confirm:$false } | Should -Throw
        { Deny-MSCommerceLicenseRequest -RequestId 'q1' -Message ('x' * 1001) -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should have ConfirmImpact Medium' {
        $binding = (Get-Command -Name 'Deny-MSCommerceLicenseRequest' -Module 'MSCommerce').ScriptBlock.Attributes |
            Where-Object -FilterScript { $_ -is [System.Management.Automation.CmdletBindingAttribute] }
        $binding.ConfirmImpact | Should -Be 'Medium'
    }
}
