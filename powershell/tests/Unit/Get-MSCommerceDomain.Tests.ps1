BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceDomain' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/domains' } -MockWith {
            [pscustomobject]@{ items = @(
                    [pscustomobject]@{ id = 'contoso.onmicrosoft.com'; isInitial = $true; isDefault = $true; isVerified = $true }
                    [pscustomobject]@{ id = 'contoso.com'; isInitial = $false; isDefault = $false; isVerified = $true }
                )
            }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/domains/{domainId}' } -MockWith {
            [pscustomobject]@{ id = $PathParameter.domainId.ToLowerInvariant(); isInitial = $false; isDefault = $false; isVerified = $true }
        }
    }

    It 'Should list the domains, the initial one first' {
        $domains = @(Get-MSCommerceDomain)
        $domains.Count | Should -Be 2
        $domains[0].PSObject.TypeNames | Should -Contain 'MSCommerce.Domain'
        $domains[0].DomainId | Should -Be 'contoso.onmicrosoft.com'
        $domains[0].IsInitial | Should -BeTrue
        $domains[1].IsDefault | Should -BeFalse
    }

    It 'Should read one domain, also from piped objects' {
        (Get-MSCommerceDomain -DomainId 'Contoso.COM').DomainId | Should -Be 'contoso.com'
        $null = [pscustomobject]@{ DomainId = 'fabrikam.com' } | Get-MSCommerceDomain
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/domains/{domainId}' -and $PathParameter.domainId -eq 'fabrikam.com'
        }
    }

    It 'Should report an unknown domain as a non-terminating error' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/domains/{domainId}' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'DomainNotFound' -Category 'ObjectNotFound')
        }
        $null = Get-MSCommerceDomain -DomainId 'nowhere.com' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DomainNotFound*'
    }
}
