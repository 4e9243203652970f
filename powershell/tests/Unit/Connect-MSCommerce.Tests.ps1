BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    $script:savedUri = $env:MSCOMMERCE_URI
    $script:password = ConvertTo-SecureString -String 'P@ssw0rd-for-tests' -AsPlainText -Force
    $script:credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'admin@contoso.onmicrosoft.com', $script:password
    $script:publicClient = '3d5cffa9-04da-4657-8cab-c7f074657cad'
    $script:userScope = 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'

    # A self-signed RSA certificate with its private key, made in memory (CertificateRequest: .NET Framework 4.7.2
    # and .NET Core 2.0 on).
    $rsa = [System.Security.Cryptography.RSA]::Create(2048)
    $splatRequest = @(
        'CN=MSCommerce test application'
        $rsa
        [System.Security.Cryptography.HashAlgorithmName]::SHA256
        [System.Security.Cryptography.RSASignaturePadding]::Pkcs1
    )
    $request = New-Object -TypeName System.Security.Cryptography.X509Certificates.CertificateRequest -ArgumentList $splatRequest
    $script:certificate = $request.CreateSelfSigned([System.DateTimeOffset]::UtcNow.AddMinutes(-5), [System.DateTimeOffset]::UtcNow.AddDays(1))

    function script:ConvertFrom-TestBase64Url {
        param([string]$Text)
        $padded = $Text.Replace('-', '+').Replace('_', '/')
        switch ($padded.Length % 4) {
            2 { $padded += '==' }
            3 { $padded += '=' }
        }
        return [System.Convert]::FromBase64String($padded)
    }

    function script:ConvertFrom-TestJwtPart {
        param([string]$Part)
        return [System.Text.Encoding]::UTF8.GetString((ConvertFrom-TestBase64Url -Text $Part)) | ConvertFrom-Json
    }

    function script:ConvertFrom-TestQuery {
        param([string]$Uri)
        $result = @{}
        foreach ($pair in ([uri]$Uri).Query.TrimStart('?').Split('&')) {
            $name, $value = $pair.Split('=', 2)
            $result[[uri]::UnescapeDataString($name)] = [uri]::UnescapeDataString($value)
        }
        return $result
    }
}

AfterAll {
    $env:MSCOMMERCE_URI = $script:savedUri
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Connect-MSCommerce' {
    BeforeEach {
        $env:MSCOMMERCE_URI = $null
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{ token_type = 'Bearer'; access_token = 'issued-token'; expires_in = 3600 }
        }
    }

    Context 'Password grant' {
        It 'Should post the user name and password to the token endpoint of -Uri' {
            Connect-MSCommerce -Uri 'http://mscommerce.test:8080/' -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and
                $Path -eq '/oauth2/v2.0/token' -and
                $Anonymous -and
                $BaseUri -eq 'http://mscommerce.test:8080' -and
                $FormBody['grant_type'] -eq 'password' -and
                $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com' -and
                $FormBody['password'] -eq 'P@ssw0rd-for-tests' -and
                -not $FormBody.Contains('client_id') -and
                -not $FormBody.Contains('scope')
            }
        }

        It 'Should sign in with 1.x''s -AdminAccount' {
            Connect-MSCommerce -AdminAccount $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['grant_type'] -eq 'password' -and $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com'
            }
        }

        It 'Should bind 1.x''s positional call: ClientId, RedirectUri, Resource, AdminAccount' {
            Connect-MSCommerce '3d5cffa9-04da-4657-8cab-c7f074657cad' 'http://localhost/m365/commerce' 'aeb86249-8ea3-49e2-900b-54cc8e308f85' $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['grant_type'] -eq 'password' -and
                $FormBody['username'] -eq 'admin@contoso.onmicrosoft.com' -and
                $FormBody['client_id'] -eq '3d5cffa9-04da-4657-8cab-c7f074657cad' -and
                $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
            }
        }

        It 'Should keep the token and the address in the session' {
            Connect-MSCommerce -Uri 'http://mscommerce.test:8080' -Credential $credential 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'issued-token'
            $connection.Uri | Should -Be 'http://mscommerce.test:8080'
            $connection.ExpiresOn | Should -BeGreaterThan ([datetime]::UtcNow.AddMinutes(50))
        }

        It 'Should say "Connection established successfully" on the information stream and write nothing to the pipeline' {
            $pipeline = @(Connect-MSCommerce -Credential $credential 6>$null)
            $pipeline.Count | Should -Be 0
            $everything = @(Connect-MSCommerce -Credential $credential 6>&1)
            $everything.Count | Should -Be 1
            $everything[0] | Should -BeOfType [System.Management.Automation.InformationRecord]
            [string]$everything[0].MessageData | Should -Be 'Connection established successfully'
        }

        It 'Should keep a -Resource that already ends with /.default' {
            Connect-MSCommerce -Credential $credential -Resource 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $FormBody['scope'] -eq 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
            }
        }

        It 'Should use the tenant path when -TenantId is given' {
            Connect-MSCommerce -Credential $credential -TenantId 'contoso.onmicrosoft.com' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and $PathParameter.tenantId -eq 'contoso.onmicrosoft.com'
            }
        }
    }

    Context 'Browser sign-in' {
        BeforeEach {
            $script:openedUri = $null
            Mock -ModuleName 'MSCommerce' -CommandName 'Test-MSCommerceNonInteractive' -MockWith { $false }
            Mock -ModuleName 'MSCommerce' -CommandName 'Test-MSCommerceBrowserAvailable' -MockWith { $true }
            Mock -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceLoopbackListener' -MockWith {
                [pscustomobject]@{
                    Listener    = (New-Object -TypeName System.Net.HttpListener)
                    RedirectUri = 'http://localhost:50123' + ([uri]$RedirectUri).AbsolutePath
                    Path        = ([uri]$RedirectUri).AbsolutePath
                }
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceBrowser' -MockWith { $script:openedUri = $Uri }
            Mock -ModuleName 'MSCommerce' -CommandName 'Receive-MSCommerceAuthorizationResponse' -MockWith { 'the-code' }
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $script:sentForm = $FormBody
                [pscustomobject]@{ token_type = 'Bearer'; access_token = 'browser-token'; expires_in = 3600; refresh_token = 'refresh-1'; id_token = 'id' }
            }
        }

        It 'Should open the authorize page with a PKCE S256 challenge, state and nonce, and redeem the code with its verifier' {
            Connect-MSCommerce -Uri 'http://mscommerce.test' 6>$null
            $query = ConvertFrom-TestQuery -Uri $script:openedUri
            ([uri]$script:openedUri).AbsolutePath | Should -Be '/common/oauth2/v2.0/authorize'
            $query['response_type'] | Should -Be 'code'
            $query['code_challenge_method'] | Should -Be 'S256'
            $query['state'] | Should -Not -BeNullOrEmpty
            $query['nonce'] | Should -Not -BeNullOrEmpty
            $query['redirect_uri'] | Should -Be 'http://localhost:50123/m365/commerce'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Receive-MSCommerceAuthorizationResponse' -Times 1 -Exactly -ParameterFilter { $ExpectedState -eq $query['state'] }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
                $PathParameter.tenantId -eq 'common' -and
                $FormBody['grant_type'] -eq 'authorization_code' -and
                $FormBody['code'] -eq 'the-code' -and
                $FormBody['redirect_uri'] -eq 'http://localhost:50123/m365/commerce' -and
                $FormBody['client_info'] -eq '1' -and
                $FormBody['client_id'] -eq $script:publicClient -and
                $FormBody['scope'] -eq $script:userScope
            }
            # The verifier sent with the code is the one whose S256 challenge the browser carried.
            $verifier = $script:sentForm['code_verifier']
            $verifier.Length | Should -BeGreaterOrEqual 43
            $sha256 = [System.Security.Cryptography.SHA256]::Create()
            $challenge = [System.Convert]::ToBase64String($sha256.ComputeHash([System.Text.Encoding]::ASCII.GetBytes($verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            $challenge | Should -Be $query['code_challenge']
        }

        It 'Should use Microsoft''s client, redirect URI and resource by default' {
            Connect-MSCommerce 6>$null
            $query = ConvertFrom-TestQuery -Uri $script:openedUri
            $query['client_id'] | Should -Be $script:publicClient
            $query['scope'] | Should -Be $script:userScope
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceLoopbackListener' -Times 1 -Exactly -ParameterFilter { [string]$RedirectUri -eq 'http://localhost/m365/commerce' }
        }

        It 'Should bind Microsoft''s positional -ClientId, -RedirectUri and -Resource and use them as Microsoft''s module did' {
            Connect-MSCommerce 'my-public-client' 'http://127.0.0.1:50999/callback' 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceLoopbackListener' -Times 1 -Exactly -ParameterFilter { [string]$RedirectUri -eq 'http://127.0.0.1:50999/callback' }
            $query = ConvertFrom-TestQuery -Uri $script:openedUri
            $query['client_id'] | Should -Be 'my-public-client'
            $query['scope'] | Should -Be $script:userScope
        }

        It 'Should pass a domain name given as -TenantId as it is' {
            Connect-MSCommerce -TenantId 'contoso.onmicrosoft.com' 6>$null
            ([uri]$script:openedUri).AbsolutePath | Should -Be '/contoso.onmicrosoft.com/oauth2/v2.0/authorize'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $PathParameter.tenantId -eq 'contoso.onmicrosoft.com' }
        }

        It 'Should keep the refresh token in the session only, and write it to no stream' {
            $everything = Connect-MSCommerce -Verbose *>&1 | Out-String
            $everything | Should -Not -Match 'refresh-1'
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'browser-token'
            $connection.TokenRequest.GrantType | Should -Be 'refresh_token'
            $connection.TokenRequest.RefreshToken | Should -Be 'refresh-1'
            $connection.TokenRequest.ClientId | Should -Be $script:publicClient
            $connection.TokenRequest.TenantId | Should -Be 'common'
        }

        It 'Should stop under -NonInteractive, naming -UseDeviceCode, -Credential and -Certificate, before listening or sending' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Test-MSCommerceNonInteractive' -MockWith { $true }
            $failure = $null
            try { Connect-MSCommerce } catch { $failure = $_ }
            $failure.FullyQualifiedErrorId | Should -BeLike 'InteractiveSignInUnavailable*'
            $failure.Exception.Message | Should -BeLike '*-NonInteractive*'
            foreach ($alternative in @('-UseDeviceCode', '-Credential', '-Certificate')) {
                $failure.Exception.Message | Should -BeLike "*$alternative*"
            }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceLoopbackListener' -Times 0 -Exactly
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should stop the same way where no browser can be opened' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Test-MSCommerceBrowserAvailable' -MockWith { $false }
            { Connect-MSCommerce } | Should -Throw -ErrorId 'InteractiveSignInUnavailable*' -ExpectedMessage '*-UseDeviceCode*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceBrowser' -Times 0 -Exactly
        }

        It 'Should close the listener and keep no connection when the answer is refused' {
            $script:realListener = New-Object -TypeName System.Net.HttpListener
            $probe = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
            $probe.Start()
            $port = ([System.Net.IPEndPoint]$probe.LocalEndpoint).Port
            $probe.Stop()
            $script:realListener.Prefixes.Add("http://localhost:$port/")
            $script:realListener.Start()
            Mock -ModuleName 'MSCommerce' -CommandName 'Open-MSCommerceLoopbackListener' -MockWith {
                [pscustomobject]@{ Listener = $script:realListener; RedirectUri = 'http://localhost/m365/commerce'; Path = '/m365/commerce' }
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Receive-MSCommerceAuthorizationResponse' -MockWith {
                throw (New-MSCommerceTestErrorRecord -ErrorCode 'AuthorizationStateMismatch' -Category 'SecurityError')
            }
            { Connect-MSCommerce } | Should -Throw -ErrorId 'AuthorizationStateMismatch*'
            $script:realListener.IsListening | Should -BeFalse
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }
    }

    Context 'Device code' {
        BeforeEach {
            $script:pollAnswers = New-Object -TypeName System.Collections.Queue
            Mock -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -MockWith { return }
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/devicecode' } -MockWith {
                [pscustomobject]@{
                    device_code      = 'device-1'
                    user_code        = 'ABCD-EFGH'
                    verification_uri = 'http://mscommerce.test/devicelogin'
                    expires_in       = 900
                    interval         = 5
                    message          = 'To sign in, use a web browser to open the page http://mscommerce.test/devicelogin and enter the code ABCD-EFGH to authenticate.'
                }
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' } -MockWith {
                $next = $script:pollAnswers.Dequeue()
                if ($next -is [string]) {
                    throw (New-MSCommerceTestErrorRecord -ErrorCode $next -Category 'InvalidArgument')
                }
                $next
            }
            $script:issued = [pscustomobject]@{ token_type = 'Bearer'; access_token = 'device-token'; expires_in = 3600; refresh_token = 'refresh-d1' }
        }

        It 'Should show the address and code as a warning and poll every interval while the sign-in is pending' {
            $script:pollAnswers.Enqueue('authorization_pending')
            $script:pollAnswers.Enqueue('authorization_pending')
            $script:pollAnswers.Enqueue($script:issued)
            $shown = @(Connect-MSCommerce -UseDeviceCode -Uri 'http://mscommerce.test' 3>&1 6>$null)
            $shown.Count | Should -Be 1
            $shown[0] | Should -BeOfType [System.Management.Automation.WarningRecord]
            $shown[0].Message | Should -BeLike '*http://mscommerce.test/devicelogin*ABCD-EFGH*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/devicecode' -and
                $PathParameter.tenantId -eq 'common' -and
                $Anonymous -and
                $FormBody['client_id'] -eq $script:publicClient -and
                $FormBody['scope'] -eq $script:userScope
            }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 3 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
                $FormBody['grant_type'] -eq 'urn:ietf:params:oauth:grant-type:device_code' -and
                $FormBody['device_code'] -eq 'device-1' -and
                $FormBody['client_id'] -eq $script:publicClient
            }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -Times 3 -Exactly -ParameterFilter { $Seconds -eq 5 }
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'device-token'
            $connection.TokenRequest.RefreshToken | Should -Be 'refresh-d1'
        }

        It 'Should add 5 seconds to the interval on slow_down' {
            $script:pollAnswers.Enqueue('slow_down')
            $script:pollAnswers.Enqueue('slow_down')
            $script:pollAnswers.Enqueue($script:issued)
            Connect-MSCommerce -UseDeviceCode 3>$null 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -Times 1 -Exactly -ParameterFilter { $Seconds -eq 5 }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -Times 1 -Exactly -ParameterFilter { $Seconds -eq 10 }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -Times 1 -Exactly -ParameterFilter { $Seconds -eq 15 }
        }

        It 'Should stop with DeviceCodeExpired on expired_token' {
            $script:pollAnswers.Enqueue('authorization_pending')
            $script:pollAnswers.Enqueue('expired_token')
            { Connect-MSCommerce -UseDeviceCode 3>$null } | Should -Throw -ErrorId 'DeviceCodeExpired*' -ExpectedMessage '*-UseDeviceCode again*'
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }

        It 'Should stop with DeviceCodeDeclined on access_denied' {
            $script:pollAnswers.Enqueue('access_denied')
            { Connect-MSCommerce -UseDeviceCode 3>$null } | Should -Throw -ErrorId 'DeviceCodeDeclined*' -ExpectedMessage '*declined*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/token' }
        }

        It 'Should stop with the service''s error for any other answer' {
            $script:pollAnswers.Enqueue('invalid_client')
            { Connect-MSCommerce -UseDeviceCode 3>$null } | Should -Throw -ErrorId 'invalid_client*'
        }

        It 'Should stop when the code''s lifetime has passed, even if the service still says pending' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/{tenantId}/oauth2/v2.0/devicecode' } -MockWith {
                [pscustomobject]@{ device_code = 'device-2'; user_code = 'WXYZ-WXYZ'; verification_uri = 'http://mscommerce.test/devicelogin'; expires_in = 1; interval = 1 }
            }
            Mock -ModuleName 'MSCommerce' -CommandName 'Start-Sleep' -MockWith { [System.Threading.Thread]::Sleep(700) }
            1..10 | ForEach-Object -Process { $script:pollAnswers.Enqueue('authorization_pending') }
            { Connect-MSCommerce -UseDeviceCode 3>$null } | Should -Throw -ErrorId 'DeviceCodeExpired*'
            $script:pollAnswers.Count | Should -BeGreaterThan 5
        }
    }

    Context 'Certificate' {
        BeforeEach {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $script:sentForm = $FormBody
                [pscustomobject]@{ token_type = 'Bearer'; access_token = 'app-token'; expires_in = 3600 }
            }
        }

        It 'Should sign in with a client assertion whose header, claims and signature are those of the certificate' {
            Connect-MSCommerce -ClientId 'app-id' -Certificate $script:certificate -TenantId 'contoso.onmicrosoft.com' -Uri 'http://mscommerce.test' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
                $PathParameter.tenantId -eq 'contoso.onmicrosoft.com' -and
                $FormBody['grant_type'] -eq 'client_credentials' -and
                $FormBody['client_id'] -eq 'app-id' -and
                $FormBody['client_assertion_type'] -eq 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' -and
                -not $FormBody.Contains('client_secret')
            }
            $parts = $script:sentForm['client_assertion'].Split('.')
            $parts.Count | Should -Be 3
            $header = ConvertFrom-TestJwtPart -Part $parts[0]
            $claims = ConvertFrom-TestJwtPart -Part $parts[1]

            $header.alg | Should -Be 'RS256'
            $header.typ | Should -Be 'JWT'
            $sha256 = [System.Security.Cryptography.SHA256]::Create()
            $header.x5t | Should -Be ([System.Convert]::ToBase64String($script:certificate.GetCertHash()).TrimEnd('=').Replace('+', '-').Replace('/', '_'))
            $header.'x5t#S256' | Should -Be ([System.Convert]::ToBase64String($sha256.ComputeHash($script:certificate.RawData)).TrimEnd('=').Replace('+', '-').Replace('/', '_'))

            $claims.aud | Should -Be 'http://mscommerce.test/contoso.onmicrosoft.com/oauth2/v2.0/token'
            $claims.iss | Should -Be 'app-id'
            $claims.sub | Should -Be 'app-id'
            [guid]::Parse($claims.jti) | Should -Not -BeNullOrEmpty
            $now = [System.DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
            [long]$claims.iat | Should -BeLessOrEqual $now
            [long]$claims.iat | Should -BeGreaterThan ($now - 60)
            [long]$claims.nbf | Should -Be ([long]$claims.iat)
            ([long]$claims.exp - [long]$claims.iat) | Should -Be 600

            $publicKey = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPublicKey($script:certificate)
            $signed = [System.Text.Encoding]::ASCII.GetBytes($parts[0] + '.' + $parts[1])
            $signature = ConvertFrom-TestBase64Url -Text $parts[2]
            $publicKey.VerifyData($signed, $signature, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1) | Should -BeTrue
            # One byte of the claims changed: the signature no longer verifies.
            $signed[$signed.Length - 1] = $signed[$signed.Length - 1] -bxor 1
            $publicKey.VerifyData($signed, $signature, [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1) | Should -BeFalse
        }

        It 'Should keep the certificate, not a signed assertion, to renew unattended' {
            Connect-MSCommerce -ClientId 'app-id' -Certificate $script:certificate -TenantId 'tenant-1' 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.TokenRequest.GrantType | Should -Be 'client_credentials'
            $connection.TokenRequest.Certificate.Thumbprint | Should -Be $script:certificate.Thumbprint
        }

        It 'Should look the certificate up by -CertificateThumbprint' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Find-MSCommerceCertificate' -MockWith { $script:certificate }
            Connect-MSCommerce -ClientId 'app-id' -CertificateThumbprint $script:certificate.Thumbprint -TenantId 'tenant-1' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Find-MSCommerceCertificate' -Times 1 -Exactly -ParameterFilter { $Thumbprint -eq $script:certificate.Thumbprint }
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $FormBody.Contains('client_assertion') }
        }

        It 'Should refuse a certificate without its private key before any request' {
            $publicOnly = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList (, $script:certificate.RawData)
            { Connect-MSCommerce -ClientId 'app-id' -Certificate $publicOnly -TenantId 'tenant-1' } | Should -Throw -ErrorId 'CertificatePrivateKeyMissing*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }

        It 'Should require -ClientId and -TenantId with a certificate' {
            $command = Get-Command -Name 'Connect-MSCommerce'
            $set = $command.ParameterSets | Where-Object -FilterScript { $_.Name -eq 'Certificate' }
            ($set.Parameters | Where-Object -FilterScript { $_.IsMandatory }).Name | Sort-Object | Should -Be @('Certificate', 'ClientId', 'TenantId')
        }
    }

    Context 'Service address' {
        It 'Should default to http://localhost:8080' {
            Connect-MSCommerce -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $BaseUri -eq 'http://localhost:8080' }
        }

        It 'Should default to $env:MSCOMMERCE_URI when it is set' {
            $env:MSCOMMERCE_URI = 'https://mscommerce.contoso.test/'
            Connect-MSCommerce -Credential $credential 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $BaseUri -eq 'https://mscommerce.contoso.test' }
        }

        It 'Should refuse an address that is not http or https before any call' {
            { Connect-MSCommerce -Credential $credential -Uri 'ftp://mscommerce.test' } | Should -Throw -ErrorId 'InvalidUri*'
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
        }
    }

    Context 'Client credentials' {
        It 'Should post client_credentials to {Uri}/{TenantId}/oauth2/v2.0/token' {
            $secret = ConvertTo-SecureString -String 'app-secret' -AsPlainText -Force
            Connect-MSCommerce -ClientId 'app-id' -ClientSecret $secret -TenantId 'tenant-1' -Uri 'http://mscommerce.test' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
                $Method -eq 'POST' -and
                $Path -eq '/{tenantId}/oauth2/v2.0/token' -and
                $PathParameter.tenantId -eq 'tenant-1' -and
                $FormBody['grant_type'] -eq 'client_credentials' -and
                $FormBody['client_id'] -eq 'app-id' -and
                $FormBody['client_secret'] -eq 'app-secret'
            }
        }

        It 'Should keep what is needed to renew the token unattended' {
            $secret = ConvertTo-SecureString -String 'app-secret' -AsPlainText -Force
            Connect-MSCommerce -ClientId 'app-id' -ClientSecret $secret -TenantId 'tenant-1' 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.TokenRequest.GrantType | Should -Be 'client_credentials'
            $connection.TokenRequest.ClientSecret | Should -BeOfType [System.Security.SecureString]
        }
    }

    Context 'Access token' {
        It 'Should keep a token obtained elsewhere without calling the service' {
            Connect-MSCommerce -AccessToken 'byo-token' -Uri 'http://mscommerce.test' 6>$null
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.AccessToken | Should -Be 'byo-token'
            $connection.TokenRequest | Should -BeNullOrEmpty
        }

        It 'Should read the expiry of a JWT' {
            $payload = [System.Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes('{"exp":4102444800,"tid":"t","upn":"u"}')).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            Connect-MSCommerce -AccessToken "eyJhbGciOiJFZERTQSJ9.$payload.c2ln" 6>$null
            $connection = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection }
            $connection.ExpiresOn.Year | Should -Be 2100
        }
    }

    Context 'Failure' {
        It 'Should stop with "Unable to establish connection" when the token endpoint refuses' {
            Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
                $exception = New-Object -TypeName System.ArgumentException -ArgumentList 'Unable to establish connection, ErrorMessage - 400 ErrorDetails - {"errorCode":"invalid_grant"}'
                throw (New-Object -TypeName System.Management.Automation.ErrorRecord -ArgumentList $exception, 'invalid_grant', 'InvalidArgument', $null)
            }
            { Connect-MSCommerce -Credential $credential } | Should -Throw -ExpectedMessage 'Unable to establish connection*'
            InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection } | Should -BeNullOrEmpty
        }
    }
}
