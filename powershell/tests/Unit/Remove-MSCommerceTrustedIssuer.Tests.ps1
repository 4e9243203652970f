BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Remove-MSCommerceTrustedIssuer' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { $null }
    }

    It 'Should delete each piped trust' {
        @([pscustomobject]@{ Id = 't-1' }, [pscustomobject]@{ Id = 't-2' }) | Remove-MSCommerceTrustedIssuer -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter {
            $Method -eq 'DELETE' -and $Path -eq '/v1.0/trustedIssuers/{issuerId}'
        }
    }

    It 'Should delete nothing with -WhatIf' {
        Remove-MSCommerceTrustedIssuer -Id 't-1' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report an unknown trust with the service''s errorCode' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'TrustedIssuerNotFound' -Category 'ObjectNotFound')
        }
        Remove-MSCommerceTrustedIssuer -Id 't-9' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TrustedIssuerNotFound*'
    }
}
