BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Set-MSCommerceTrustedIssuerSignIn' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                id           = 't-1'
                issuer       = 'https://sso.example.org'
                displayName  = 'Example'
                audiences    = @('aeb86249-8ea3-49e2-900b-54cc8e308f85')
                claimMapping = [pscustomobject]@{ userClaim = 'oid'; nameClaim = 'upn'; roleSource = 'wids'; groupsClaim = 'groups'; groupRoles = @() }
                signIn       = [pscustomobject]@{ clientId = 'portal'; hasClientSecret = $true; buttonText = 'Example ID' }
            }
        }
    }

    It 'Should send the client ID, the secret in clear to the service only, and the button' {
        $secret = ConvertTo-SecureString -String 's3cret-value' -AsPlainText -Force
        $trust = Set-MSCommerceTrustedIssuerSignIn -Id 't-1' -ClientId 'portal' -ClientSecret $secret -ButtonText 'Example ID' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PUT' -and $Path -eq '/v1.0/trustedIssuers/{issuerId}/signIn' -and $PathParameter.issuerId -eq 't-1' -and
            $Body.clientId -eq 'portal' -and $Body.clientSecret -eq 's3cret-value' -and $Body.buttonText -eq 'Example ID'
        }
        $trust.SignInClientId | Should -Be 'portal'
        $trust.SignInHasClientSecret | Should -BeTrue
        $trust.SignInButtonText | Should -Be 'Example ID'
    }

    It 'Should send no secret for a public client' {
        $null = Set-MSCommerceTrustedIssuerSignIn -Id 't-1' -ClientId 'portal' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PUT' -and -not $Body.ContainsKey('clientSecret') -and -not $Body.ContainsKey('buttonText')
        }
    }

    It 'Should remove the sign-in of each piped trust with -Remove' {
        @([pscustomobject]@{ Id = 't-1' }, [pscustomobject]@{ Id = 't-2' }) | Set-MSCommerceTrustedIssuerSignIn -Remove -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 2 -Exactly -ParameterFilter {
            $Method -eq 'DELETE' -and $Path -eq '/v1.0/trustedIssuers/{issuerId}/signIn'
        }
    }

    It 'Should change nothing with -WhatIf' {
        Set-MSCommerceTrustedIssuerSignIn -Id 't-1' -ClientId 'portal' -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should report a refused setting with the service''s errorCode' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'InvalidClientId' -Category 'InvalidArgument')
        }
        Set-MSCommerceTrustedIssuerSignIn -Id 't-1' -ClientId 'portal' -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidClientId*'
    }
}
