BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceDomain' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ id = $Body.id; isInitial = $false; isDefault = $false; isVerified = $true }
        }
    }

    It 'Should add the domain and return it' {
        $domain = New-MSCommerceDomain -DomainId 'contoso.com' -Confirm:$false
        $domain.PSObject.TypeNames | Should -Contain 'MSCommerce.Domain'
        $domain.IsVerified | Should -BeTrue
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/domains' -and $Body.id -eq 'contoso.com' -and $TargetObject -eq 'contoso.com'
        }
    }

    It 'Should add one domain per piped row, and none with -WhatIf' {
        $rows = @([pscustomobject]@{ DomainId = 'a.com' }, [pscustomobject]@{ DomainId = 'b.com' })
        $rows | New-MSCommerceDomain -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        @($rows | New-MSCommerceDomain -Confirm:$false).Count | Should -Be 2
    }

    It 'Should report a domain in use with the service''s errorCode' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'DomainInUse' -Category 'ResourceExists')
        }
        $null = New-MSCommerceDomain -DomainId 'contoso.com' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DomainInUse*'
    }
}
