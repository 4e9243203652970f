# Tokens renew before they expire: with the refresh token (rotated, the newest kept) after a browser or device
# code sign-in, by signing in again the same way otherwise.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Renewal of the access token' {
    BeforeEach {
        $script:refreshAnswers = New-Object -TypeName System.Collections.Queue
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' } -MockWith {
            $script:refreshAnswers.Dequeue()
        }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $script:MSCommerceConnection = @{
                Uri          = 'http://mscommerce.test'
                AccessToken  = 'token-1'
                ExpiresOn    = [datetime]::UtcNow.AddSeconds(60)
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

    It 'Should renew with the refresh token shortly before expiry and keep the new refresh token' {
        $script:refreshAnswers.Enqueue([pscustomobject]@{ access_token = 'token-2'; expires_in = 60; refresh_token = 'refresh-2' })
        $script:refreshAnswers.Enqueue([pscustomobject]@{ access_token = 'token-3'; expires_in = 3600; refresh_token = 'refresh-3' })
        $first = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken }
        $first | Should -Be 'token-2'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
            $PathParameter.tenantId -eq 'contoso.onmicrosoft.com' -and
            $Anonymous -and
            $FormBody['grant_type'] -eq 'refresh_token' -and
            $FormBody['refresh_token'] -eq 'refresh-1' -and
            $FormBody['client_id'] -eq '3d5cffa9-04da-4657-8cab-c7f074657cad' -and
            $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'
        }

        # The second renewal uses the rotated token: the first one is spent at the service.
        $second = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken }
        $second | Should -Be 'token-3'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $FormBody['refresh_token'] -eq 'refresh-2' }
        $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
        $connection.AccessToken | Should -Be 'token-3'
        $connection.TokenRequest.RefreshToken | Should -Be 'refresh-3'
        $connection.ExpiresOn | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(50))
    }

    It 'Should not renew a token that is far from expiry' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection.ExpiresOn = [datetime]::UtcNow.AddMinutes(30) }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken } | Should -Be 'token-1'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' }
    }

    It 'Should stop renewing when the answer brings no new refresh token' {
        $script:refreshAnswers.Enqueue([pscustomobject]@{ access_token = 'token-2'; expires_in = 3600 })
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken } | Should -Be 'token-2'
        $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
        $connection.AccessToken | Should -Be 'token-2'
        $connection.TokenRequest | Should -BeNullOrEmpty
    }

    It 'Should stop with the service''s error, keeping the old token, when the refresh token is refused' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'invalid_grant' -Category 'InvalidArgument' -Message 'Unable to establish connection, ErrorMessage - refused ErrorDetails - {"error":"invalid_grant"}')
        }
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken } } | Should -Throw -ExpectedMessage 'Unable to establish connection*'
        $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
        $connection.AccessToken | Should -Be 'token-1'
    }

    It 'Should sign a new client assertion for each renewal of a certificate sign-in' {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = New-Object -TypeName System.Security.Cryptography.X509Certificates.CertificateRequest -ArgumentList 'CN=MSCommerce renewal test', $rsa, ([System.Security.Cryptography.HashAlgorithmName]::SHA256), ([System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $certificate = $request.CreateSelfSigned([System.DateTimeOffset]::UtcNow.AddMinutes(-5), [System.DateTimeOffset]::UtcNow.AddDays(1))
        InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Certificate = $certificate } -ScriptBlock {
            param($Certificate)
            $script:MSCommerceConnection.TokenRequest = @{ GrantType = 'client_credentials'; ClientId = 'app-id'; Certificate = $Certificate; TenantId = 'tenant-1'; Scope = '' }
        }
        $script:refreshAnswers.Enqueue([pscustomobject]@{ access_token = 'app-2'; expires_in = 60 })
        $script:refreshAnswers.Enqueue([pscustomobject]@{ access_token = 'app-3'; expires_in = 3600 })
        $script:assertions = New-Object -TypeName System.Collections.ArrayList
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' } -MockWith {
            $null = $script:assertions.Add($FormBody['client_assertion'])
            $script:refreshAnswers.Dequeue()
        }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken } | Should -Be 'app-2'
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommerceAccessToken } | Should -Be 'app-3'
        $script:assertions.Count | Should -Be 2
        $script:assertions[0] | Should -Not -Be $script:assertions[1]
    }
}
