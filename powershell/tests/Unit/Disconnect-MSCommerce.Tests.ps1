BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Disconnect-MSCommerce' {
    BeforeEach {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $script:MSCommerceConnection = @{ Uri = 'http://mscommerce.test'; AccessToken = 'token-1'; ExpiresOn = $null; TokenRequest = $null }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -MockWith { throw 'no request is expected' }
    }

    It 'Should forget the connection and write nothing' {
        $output = Disconnect-MSCommerce
        $output | Should -BeNullOrEmpty
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
    }

    It 'Should make later commands ask for Connect-MSCommerce again, without sending anything' {
        Disconnect-MSCommerce
        { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-WebRequest' -Times 0 -Exactly
    }

    It 'Should do nothing when not connected' {
        Disconnect-MSCommerce
        { Disconnect-MSCommerce } | Should -Not -Throw
    }

    It 'Should still let a command run with -Token after disconnecting' {
        Disconnect-MSCommerce
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { [pscustomobject]@{ items = @() } }
        { Get-MSCommercePolicies -Token 'raw-jwt' } | Should -Not -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
    }

    Context 'After a browser or device code sign-in' {
        BeforeEach {
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                $script:MSCommerceConnection = @{
                    Uri          = 'http://mscommerce.test'
                    AccessToken  = 'token-1'
                    ExpiresOn    = [datetime]::UtcNow.AddHours(1)
                    TokenRequest = @{
                        GrantType    = 'refresh_token'
                        RefreshToken = 'refresh-7'
                        ClientId     = '3d5cffa9-04da-4657-8cab-c7f074657cad'
                        TenantId     = 'contoso.onmicrosoft.com'
                        Scope        = 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'
                    }
                }
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith { $null }
        }

        It 'Should revoke the newest refresh token at the service, then forget the connection' {
            Disconnect-MSCommerce
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and
                $Path -eq '/{tenantId}/oauth2/v2.0/revoke' -and
                $PathParameter.tenantId -eq 'contoso.onmicrosoft.com' -and
                $Anonymous -and
                $BaseUri -eq 'http://mscommerce.test' -and
                $FormBody['token'] -eq 'refresh-7' -and
                $FormBody['token_type_hint'] -eq 'refresh_token' -and
                $FormBody['client_id'] -eq '3d5cffa9-04da-4657-8cab-c7f074657cad'
            }
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }

        It 'Should warn and still forget the connection when the service cannot be reached' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'ConnectionFailed' -Category 'ConnectionError' -Message 'Unable to sign out, ErrorMessage - unreachable')
            }
            $warnings = @(Disconnect-MSCommerce 3>&1)
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -BeLike '*could not be revoked*unreachable*'
            $warnings[0].Message | Should -Not -BeLike '*refresh-7*'
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }

        It 'Should revoke nothing after a password sign-in' {
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection.TokenRequest = @{ GrantType = 'password' } }
            Disconnect-MSCommerce
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }
}
