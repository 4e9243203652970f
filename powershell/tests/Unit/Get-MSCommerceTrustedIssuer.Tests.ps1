BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceTrustedIssuer' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            $trust = [pscustomobject]@{
                id           = 't-1'
                issuer       = 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0'
                displayName  = 'Entra ID'
                audiences    = @('aeb86249-8ea3-49e2-900b-54cc8e308f85')
                claimMapping = [pscustomobject]@{ userClaim = 'oid'; nameClaim = 'upn'; roleSource = 'wids'; groupsClaim = 'groups'; groupRoles = @() }
            }
            if ($Path -eq '/v1.0/trustedIssuers') { [pscustomobject]@{ items = @($trust) } } else { $trust }
        }
    }

    It 'Should list the trusts as MSCommerce.TrustedIssuer objects' {
        $trusts = @(Get-MSCommerceTrustedIssuer)
        $trusts.Count | Should -Be 1
        $trusts[0].PSObject.TypeNames | Should -Contain 'MSCommerce.TrustedIssuer'
        $trusts[0].RoleSource | Should -Be 'wids'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/trustedIssuers'
        }
    }

    It 'Should read one trust by the Id of a piped object' {
        [pscustomobject]@{ Id = 't-1' } | Get-MSCommerceTrustedIssuer | Select-Object -ExpandProperty Id | Should -Be 't-1'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/trustedIssuers/{issuerId}' -and $PathParameter.issuerId -eq 't-1'
        }
    }
}
