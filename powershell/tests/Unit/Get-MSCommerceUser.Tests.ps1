BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $user = [pscustomobject]@{ id = 'u1'; userPrincipalName = 'ann@contoso.onmicrosoft.com'; displayName = 'Ann'; userType = 'Member'; accountEnabled = $true; roles = @('GlobalReader'); createdAt = '2026-11-25T06:30:00Z' }
            if ($FollowNextLink) {
                return @($user, [pscustomobject]@{ id = 'u2'; userPrincipalName = 'ben@contoso.onmicrosoft.com'; displayName = 'Ben'; userType = 'Guest'; accountEnabled = $false; roles = @(); createdAt = '2026-11-25T06:31:00Z' })
            }
            $user
        }
    }

    It 'Should list every user, page after page' {
        $users = @(Get-MSCommerceUser -First 10)
        $users.Count | Should -Be 2
        $users[0].PSObject.TypeNames | Should -Contain 'MSCommerce.User'
        $users[1].UserId | Should -Be 'u2'
        $users[1].AccountEnabled | Should -BeFalse
        $users[0].CreatedAt.Kind | Should -Be 'Utc'
        $users[0].InitialPassword | Should -BeNullOrEmpty
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/users' -and $FollowNextLink -and $First -eq 10
        }
    }

    It 'Should read one user by ID, also from piped objects' {
        (Get-MSCommerceUser -UserId 'u1').Roles | Should -Be @('GlobalReader')
        $null = [pscustomobject]@{ UserId = 'u7' } | Get-MSCommerceUser
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/users/{userId}' -and $PathParameter.userId -eq 'u7' -and $TargetObject -eq 'u7'
        }
    }

    It 'Should report an unknown user as a non-terminating error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'UserNotFound' -Category 'ObjectNotFound')
        }
        $null = Get-MSCommerceUser -UserId 'nobody' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UserNotFound*'
    }
}
