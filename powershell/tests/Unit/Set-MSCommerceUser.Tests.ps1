BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Set-MSCommerceUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = $PathParameter.userId; userPrincipalName = 'ann@contoso.onmicrosoft.com'; displayName = 'Ann'; userType = 'Member'; accountEnabled = $false; roles = @(); createdAt = '2026-11-25T06:30:00Z' }
        }
    }

    It 'Should send only the fields given, as a PATCH' {
        $user = Set-MSCommerceUser -UserId 'u1' -AccountEnabled $false -Confirm:$false
        $user.PSObject.TypeNames | Should -Contain 'MSCommerce.User'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PATCH' -and $Path -eq '/v1.0/users/{userId}' -and $PathParameter.userId -eq 'u1' -and
            @($Body.Keys).Count -eq 1 -and $Body.accountEnabled -eq $false
        }
    }

    It 'Should send an empty role list to take every role away' {
        $null = Set-MSCommerceUser -UserId 'u1' -Role @() -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.ContainsKey('roles') -and @($Body.roles).Count -eq 0
        }
    }

    It 'Should send the new password in plain text' {
        $password = ConvertTo-SecureString -String 'Correct-Horse-Battery-9' -AsPlainText -Force
        $null = Set-MSCommerceUser -UserId 'u1' -Password $password -DisplayName 'Ann Lee' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.password -eq 'Correct-Horse-Battery-9' -and $Body.displayName -eq 'Ann Lee'
        }
    }

    It 'Should refuse a call without a change before any call (NothingToChange)' {
        { Set-MSCommerceUser -UserId 'u1' -Confirm:$false } | Should -Throw -ErrorId 'NothingToChange*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should change each piped user, and nothing with -WhatIf' {
        $users = @([pscustomobject]@{ UserId = 'u1' }, [pscustomobject]@{ UserId = 'u2' })
        $users | Set-MSCommerceUser -AccountEnabled $false -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($users | Set-MSCommerceUser -AccountEnabled $false -Confirm:$false).Count | Should -Be 2
    }
}
