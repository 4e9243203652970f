BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommercePartnerCustomer' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/partner/customers' } -MockWith {
            [pscustomobject]@{ items = @(
                    [pscustomobject]@{ tenantId = '11111111-1111-4111-8111-111111111111'; displayName = 'Fabrikam'; hasActiveRelationship = $true; grantedRoles = @('BillingAdministrator', 'GlobalReader'); relationships = @([pscustomobject]@{ id = 'r-1'; status = 'active' }) }
                    [pscustomobject]@{ tenantId = '22222222-2222-4222-8222-222222222222'; displayName = 'Tailspin'; hasActiveRelationship = $false; grantedRoles = @(); relationships = @([pscustomobject]@{ id = 'r-2'; status = 'ended' }) }
                )
            }
        }
    }

    It 'Should list the customers with what they granted' {
        $customers = @(Get-MSCommercePartnerCustomer)
        $customers.Count | Should -Be 2
        $customers[0].PSObject.TypeNames | Should -Contain 'MSCommerce.PartnerCustomer'
        $customers[0].TenantId | Should -Be '11111111-1111-4111-8111-111111111111'
        $customers[0].GrantedRoles | Should -Be @('BillingAdministrator', 'GlobalReader')
        $customers[1].HasActiveRelationship | Should -BeFalse
        $customers[1].Relationships[0].status | Should -Be 'ended'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Method -eq 'GET' }
    }

    It 'Should keep only the customers with an active relationship with -ActiveOnly' {
        @(Get-MSCommercePartnerCustomer -ActiveOnly).DisplayName | Should -Be @('Fabrikam')
    }

    It 'Should stop with the service''s refusal' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/partner/customers' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'Forbidden' -Category 'PermissionDenied')
        }
        { Get-MSCommercePartnerCustomer -ErrorAction Stop } | Should -Throw -ErrorId 'Forbidden*'
    }
}

Describe 'Get-MSCommerceTenantToken' {
    BeforeEach {
        $script:answers = New-Object -TypeName System.Collections.Queue
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' } -MockWith {
            $script:answers.Dequeue()
        }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $script:MSCommerceConnection = @{
                Uri          = 'http://mscommerce.test'
                AccessToken  = 'home-token'
                ExpiresOn    = [datetime]::UtcNow.AddHours(1)
                TokenRequest = @{
                    GrantType    = 'refresh_token'
                    RefreshToken = 'refresh-1'
                    ClientId     = '3d5cffa9-04da-4657-8cab-c7f074657cad'
                    TenantId     = 'contoso.onmicrosoft.com'
                    Scope        = 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'
                }
            }
        }
    }

    AfterEach {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
    }

    It 'Should ask the customer''s token endpoint with the connection''s grant, keep the rotated refresh token, and reuse the token' {
        $script:answers.Enqueue([pscustomobject]@{ access_token = 'fabrikam-token'; expires_in = 3600; refresh_token = 'refresh-2' })
        $first = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceTenantToken -TenantId 'Fabrikam.onmicrosoft.com' }
        $again = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceTenantToken -TenantId 'fabrikam.onmicrosoft.com' }
        $first | Should -Be 'fabrikam-token'
        $again | Should -Be 'fabrikam-token'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $PathParameter.tenantId -eq 'Fabrikam.onmicrosoft.com' -and $FormBody.grant_type -eq 'refresh_token' -and $FormBody.refresh_token -eq 'refresh-1'
        }
        $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
        $connection.TokenRequest.RefreshToken | Should -Be 'refresh-2'
        # The connection's own tenant and token are untouched.
        $connection.TokenRequest.TenantId | Should -Be 'contoso.onmicrosoft.com'
        $connection.AccessToken | Should -Be 'home-token'
    }

    It 'Should refuse without a connection that can ask for tokens' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection.TokenRequest = $null }
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceTenantToken -TenantId 'fabrikam.onmicrosoft.com' } } | Should -Throw -ErrorId 'TenantTokenUnavailable*'
    }
}
