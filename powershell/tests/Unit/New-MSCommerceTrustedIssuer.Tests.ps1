BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'New-MSCommerceTrustedIssuer' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                id           = 't-1'
                issuer       = $Body.issuer
                audiences    = $Body.audiences
                claimMapping = [pscustomobject]@{ userClaim = 'sub'; nameClaim = 'preferred_username'; roleSource = 'groups'; groupsClaim = 'groups'; groupRoles = @($Body.claimMapping.groupRoles) }
            }
        }
    }

    It 'Should send the issuer, the audiences and the claim mapping' {
        $splat = @{
            Issuer     = 'https://sso.example.org/realms/corp'
            Audience   = 'mscommerce'
            UserClaim  = 'sub'
            NameClaim  = 'preferred_username'
            RoleSource = 'groups'
            GroupRole  = @{ billing = 'BillingAdministrator' }
            Confirm    = $false
        }
        $trust = New-MSCommerceTrustedIssuer @splat
        $trust.PSObject.TypeNames | Should -Contain 'MSCommerce.TrustedIssuer'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'POST' -and $Path -eq '/v1.0/trustedIssuers' -and $Body.audiences[0] -eq 'mscommerce' -and
            $Body.claimMapping.roleSource -eq 'groups' -and $Body.claimMapping.groupRoles[0].role -eq 'BillingAdministrator'
        }
    }

    It 'Should change nothing with -WhatIf' {
        New-MSCommerceTrustedIssuer -Issuer 'https://sso.example.org' -Audience 'a' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should refuse a role source outside the ValidateSet' {
        { New-MSCommerceTrustedIssuer -Issuer 'https://x' -Audience 'a' -RoleSource 'token' -Confirm:$false } | Should -Throw
    }
}
