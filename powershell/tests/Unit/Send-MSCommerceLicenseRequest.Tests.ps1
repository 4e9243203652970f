BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Send-MSCommerceLicenseRequest' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ shared = @($Body.userIds).Count }
        }
    }

    It 'Should send the users and the message to share, and say how many were sent' {
        $result = Send-MSCommerceLicenseRequest -RequestId 'q1' -UserId 'd1', 'd2' -Message 'Your budget?' -Confirm:$false
        $result.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestShare'
        $result.RequestId | Should -Be 'q1'
        $result.Shared | Should -BeOfType [int]
        $result.Shared | Should -Be 2
        @($result.UserId) -join ',' | Should -Be 'd1,d2'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/licenseRequests/{requestId}/share' -and $PathParameter.requestId -eq 'q1' -and
            (@($Body.userIds) -join ',') -eq 'd1,d2' -and $Body.message -eq 'Your budget?' -and $TargetObject -eq 'q1'
        }
    }

    It 'Should send one user as a list, and no message unless given' {
        $null = Send-MSCommerceLicenseRequest -RequestId 'q1' -UserId 'd1' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.userIds -is [array] -and -not $Body.ContainsKey('message')
        }
    }

    It 'Should share each piped request once, and nothing with -WhatIf' {
        $piped = @([pscustomobject]@{ RequestId = 'q1' }, [pscustomobject]@{ Id = 'q2' })
        $piped | Send-MSCommerceLicenseRequest -UserId 'd1' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($piped | Send-MSCommerceLicenseRequest -UserId 'd1' -Confirm:$false).Count | Should -Be 2
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.requestId -eq 'q2' }
    }

    It 'Should refuse no user and more than 10 users before any call' {
        { Send-MSCommerceLicenseRequest -RequestId 'q1' -UserId @() -Confirm:$false } | Should -Throw
        { Send-MSCommerceLicenseRequest -RequestId 'q1' -UserId (1..11 | ForEach-Object -Process { "d$_" }) -Confirm:$false } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report a refusal as a non-terminating error with the service''s errorCode and go on' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $PathParameter.requestId -eq 'gone' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'LicenseRequestNotFound' -Category 'ObjectNotFound' -TargetObject 'gone')
        }
        $rows = @([pscustomobject]@{ RequestId = 'gone' }, [pscustomobject]@{ RequestId = 'q2' })
        $result = @($rows | Send-MSCommerceLicenseRequest -UserId 'd1' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        $result.Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'LicenseRequestNotFound*'
    }
}
