BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceUser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = 'u9'; userPrincipalName = $Body.userPrincipalName; displayName = $Body.displayName; userType = $Body.userType; accountEnabled = $true; roles = @($Body.roles); createdAt = '2026-11-25T06:30:00Z'; initialPassword = 'Generated-Once-123' }
        }
    }

    It 'Should create a member without a password and show the generated one' {
        $user = New-MSCommerceUser -UserPrincipalName 'ann@contoso.onmicrosoft.com' -DisplayName 'Ann Lee' -Confirm:$false
        $user.PSObject.TypeNames | Should -Contain 'MSCommerce.User'
        $user.InitialPassword | Should -Be 'Generated-Once-123'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/users' -and $Body.userPrincipalName -eq 'ann@contoso.onmicrosoft.com' -and
            $Body.displayName -eq 'Ann Lee' -and $Body.userType -eq 'Member' -and -not $Body.ContainsKey('password') -and -not $Body.ContainsKey('roles')
        }
    }

    It 'Should send the password in plain text and the roles given' {
        $password = ConvertTo-SecureString -String 'Correct-Horse-Battery-9' -AsPlainText -Force
        $null = New-MSCommerceUser -UserPrincipalName 'ben@contoso.onmicrosoft.com' -DisplayName 'Ben' -UserType Guest -Password $password -Role 'GlobalReader' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Body.password -eq 'Correct-Horse-Battery-9' -and $Body.userType -eq 'Guest' -and (@($Body.roles) -join ',') -eq 'GlobalReader'
        }
    }

    It 'Should create one user per piped row' {
        $rows = @([pscustomobject]@{ UserPrincipalName = 'a@contoso.onmicrosoft.com'; DisplayName = 'A' }, [pscustomobject]@{ UserPrincipalName = 'b@contoso.onmicrosoft.com'; DisplayName = 'B' })
        @($rows | New-MSCommerceUser -Confirm:$false).Count | Should -Be 2
    }

    It 'Should send nothing with -WhatIf' {
        New-MSCommerceUser -UserPrincipalName 'ann@contoso.onmicrosoft.com' -DisplayName 'Ann' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report a refusal with the service''s errorCode' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'UpnDomainNotInTenant' -Category 'InvalidArgument')
        }
        $null = New-MSCommerceUser -UserPrincipalName 'ann@elsewhere.com' -DisplayName 'Ann' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UpnDomainNotInTenant*'
    }
}
