# The pieces of the browser and certificate sign-ins: PKCE, the -NonInteractive check, the loopback listener and
# the redirect's checks (with a real HttpListener and a real HTTP client), the browser opener and the certificate
# lookup.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    # Windows PowerShell 5.1 does not load System.Net.Http by itself.
    Add-Type -AssemblyName 'System.Net.Http'
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommercePkce' {
    It 'Should compute the S256 challenge of RFC 7636 appendix B' {
        $pkce = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommercePkce -Verifier 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' }
        $pkce.Challenge | Should -BeExactly 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
        $pkce.Method | Should -BeExactly 'S256'
    }

    It 'Should draw a new verifier of 43 unreserved characters each time' {
        $first = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommercePkce }
        $second = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommercePkce }
        $first.Verifier | Should -MatchExactly '^[A-Za-z0-9\-._~]{43}$'
        $first.Verifier | Should -Not -Be $second.Verifier
        $first.Challenge | Should -Not -Be $second.Challenge
        $again = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Verifier = $first.Verifier } -ScriptBlock {
            param($Verifier)
            Get-MSCommercePkce -Verifier $Verifier
        }
        $again.Challenge | Should -BeExactly $first.Challenge
    }

    It 'Should refuse a verifier shorter than RFC 7636 allows' {
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Get-MSCommercePkce -Verifier 'too-short' } } | Should -Throw
    }
}

Describe 'Test-MSCommerceNonInteractive' {
    It 'Should read <CommandLine> as <Expected>' -ForEach @(
        @{ CommandLine = @('pwsh'); Expected = $false }
        @{ CommandLine = @('pwsh', '-NonInteractive'); Expected = $true }
        @{ CommandLine = @('pwsh', '-noni', '-File', './task.ps1'); Expected = $true }
        @{ CommandLine = @('pwsh', '--noninteractive'); Expected = $true }
        @{ CommandLine = @('powershell.exe', '/NonInteractive', '-Command', 'Connect-MSCommerce'); Expected = $true }
        @{ CommandLine = @('pwsh', '-NoProfile', '-ExecutionPolicy', 'Bypass', '-NonI', '-c', 'x'); Expected = $true }
        @{ CommandLine = @('pwsh', '-non'); Expected = $false }
        @{ CommandLine = @('pwsh', '-NoLogo', '-NoProfile'); Expected = $false }
        @{ CommandLine = @('pwsh', '-File', './task.ps1', '-NonInteractive'); Expected = $false }
        @{ CommandLine = @('pwsh', '-Command', 'Connect-MSCommerce -NonInteractive'); Expected = $false }
        @{ CommandLine = @('pwsh', './task.ps1', '-NonInteractive'); Expected = $false }
    ) {
        $result = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ CommandLine = $CommandLine } -ScriptBlock {
            param($CommandLine)
            Test-MSCommerceNonInteractive -CommandLine $CommandLine
        }
        $result | Should -Be $Expected
    }

    It 'Should read the process''s own command line by default' {
        $expected = @([Environment]::GetCommandLineArgs() | Where-Object -FilterScript { $_ -match '^(-|--|/)noni' }).Count -gt 0
        $result = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Test-MSCommerceNonInteractive }
        $result | Should -BeOfType [bool]
        if ($expected) {
            $result | Should -BeTrue
        }
    }
}

Describe 'Resolve-MSCommerceAuthorizationResponse' {
    It 'Should return the code when the state is the one sent' {
        $code = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            Resolve-MSCommerceAuthorizationResponse -Query @{ code = 'the-code'; state = 'state-1' } -ExpectedState 'state-1'
        }
        $code | Should -Be 'the-code'
    }

    It 'Should refuse an answer with <Case>, even with a code' -ForEach @(
        @{ Case = 'another state'; Query = @{ code = 'stolen'; state = 'state-2' } }
        @{ Case = 'no state'; Query = @{ code = 'stolen' } }
        @{ Case = 'the state in another case'; Query = @{ code = 'stolen'; state = 'STATE-1' } }
    ) {
        { InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Query = $Query } -ScriptBlock {
                param($Query)
                Resolve-MSCommerceAuthorizationResponse -Query $Query -ExpectedState 'state-1'
            } } | Should -Throw -ErrorId 'AuthorizationStateMismatch*'
    }

    It 'Should report the service''s error and description' {
        $query = @{ error = 'access_denied'; error_description = 'The user declined.'; state = 'state-1' }
        { InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Query = $query } -ScriptBlock {
                param($Query)
                Resolve-MSCommerceAuthorizationResponse -Query $Query -ExpectedState 'state-1'
            } } | Should -Throw -ErrorId 'AuthorizationFailed*' -ExpectedMessage '*access_denied*The user declined*'
    }

    It 'Should refuse an answer without a code' {
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
                Resolve-MSCommerceAuthorizationResponse -Query @{ state = 'state-1' } -ExpectedState 'state-1'
            } } | Should -Throw -ErrorId 'AuthorizationCodeMissing*'
    }
}

Describe 'ConvertFrom-MSCommerceQueryString' {
    It 'Should decode names and values' {
        $query = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            ConvertFrom-MSCommerceQueryString -Query '?code=a%2Fb%3D&state=s+1&error_description=two%20words&empty='
        }
        $query['code'] | Should -BeExactly 'a/b='
        $query['state'] | Should -BeExactly 's 1'
        $query['error_description'] | Should -BeExactly 'two words'
        $query['empty'] | Should -BeExactly ''
    }
}

Describe 'The loopback listener' {
    BeforeEach {
        $script:loopback = InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Open-MSCommerceLoopbackListener -RedirectUri 'http://localhost/m365/commerce' }
        $script:client = New-Object -TypeName System.Net.Http.HttpClient
    }

    AfterEach {
        $script:loopback.Listener.Close()
        $script:client.Dispose()
    }

    It 'Should listen on a free port of localhost when the redirect URI names none' {
        $script:loopback.RedirectUri | Should -Match '^http://localhost:\d+/m365/commerce$'
        ([uri]$script:loopback.RedirectUri).Port | Should -Not -Be 80
        $script:loopback.Listener.IsListening | Should -BeTrue
    }

    It 'Should return the code of a redirect with the right state and tell the browser it can close the window' {
        $pending = $script:client.GetAsync($script:loopback.RedirectUri + '?code=the-code&state=state-1')
        $code = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Loopback = $script:loopback } -ScriptBlock {
            param($Loopback)
            Receive-MSCommerceAuthorizationResponse -Loopback $Loopback -ExpectedState 'state-1' -TimeoutSeconds 20
        }
        $code | Should -Be 'the-code'
        $response = $pending.Result
        [int]$response.StatusCode | Should -Be 200
        $response.Content.Headers.ContentType.MediaType | Should -Be 'text/html'
        $response.Content.ReadAsStringAsync().Result | Should -BeLike '*You can close this window*'
    }

    It 'Should refuse a redirect with another state and say so in the browser' {
        $pending = $script:client.GetAsync($script:loopback.RedirectUri + '?code=stolen&state=forged')
        { InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Loopback = $script:loopback } -ScriptBlock {
                param($Loopback)
                Receive-MSCommerceAuthorizationResponse -Loopback $Loopback -ExpectedState 'state-1' -TimeoutSeconds 20
            } } | Should -Throw -ErrorId 'AuthorizationStateMismatch*'
        $pending.Result.Content.ReadAsStringAsync().Result | Should -BeLike '*failed*another state*'
    }

    It 'Should answer 404 to another path and go on waiting for the redirect' {
        $base = $script:loopback.RedirectUri.Replace('/m365/commerce', '')
        $favicon = $script:client.GetAsync($base + '/favicon.ico')
        Start-Sleep -Milliseconds 300
        $redirect = $script:client.GetAsync($script:loopback.RedirectUri + '?code=the-code&state=state-1')
        $code = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Loopback = $script:loopback } -ScriptBlock {
            param($Loopback)
            Receive-MSCommerceAuthorizationResponse -Loopback $Loopback -ExpectedState 'state-1' -TimeoutSeconds 20
        }
        $code | Should -Be 'the-code'
        $favicon.Wait(5000) | Should -BeTrue
        [int]$favicon.Result.StatusCode | Should -Be 404
        [int]$redirect.Result.StatusCode | Should -Be 200
    }

    It 'Should stop with SignInTimedOut, naming -UseDeviceCode, when no redirect comes' {
        { InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Loopback = $script:loopback } -ScriptBlock {
                param($Loopback)
                Receive-MSCommerceAuthorizationResponse -Loopback $Loopback -ExpectedState 'state-1' -TimeoutSeconds 1
            } } | Should -Throw -ErrorId 'SignInTimedOut*' -ExpectedMessage '*-UseDeviceCode*'
    }
}

Describe 'Open-MSCommerceLoopbackListener' {
    It 'Should refuse a redirect URI that is not a loopback address: <_>' -ForEach @(
        'https://localhost/m365/commerce', 'http://mscommerce.contoso.com/m365/commerce', 'http://192.168.1.10:8400/'
    ) {
        { InModuleScope -ModuleName 'MSCommerce' -Parameters @{ RedirectUri = $_ } -ScriptBlock {
                param($RedirectUri)
                Open-MSCommerceLoopbackListener -RedirectUri $RedirectUri
            } } | Should -Throw -ErrorId 'RedirectUriNotLoopback*'
    }

    It 'Should use the port the redirect URI names' {
        $probe = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList ([System.Net.IPAddress]::Loopback), 0
        $probe.Start()
        $port = ([System.Net.IPEndPoint]$probe.LocalEndpoint).Port
        $probe.Stop()
        $loopback = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ RedirectUri = "http://localhost:$port/callback" } -ScriptBlock {
            param($RedirectUri)
            Open-MSCommerceLoopbackListener -RedirectUri $RedirectUri
        }
        try {
            $loopback.RedirectUri | Should -Be "http://localhost:$port/callback"
            $loopback.Path | Should -Be '/callback'
        }
        finally {
            $loopback.Listener.Close()
        }
    }
}

Describe 'Open-MSCommerceBrowser' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Start-Process' -MockWith { return }
    }

    It 'Should open the URL with <Opener> on <Platform>' -ForEach @(
        @{ Platform = 'Windows'; Opener = 'http://localhost:8080/common/oauth2/v2.0/authorize?a=1&b=2' }
        @{ Platform = 'MacOS'; Opener = 'open' }
        @{ Platform = 'Linux'; Opener = 'xdg-open' }
    ) {
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommercePlatform' -MockWith { $Platform }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Open-MSCommerceBrowser -Uri 'http://localhost:8080/common/oauth2/v2.0/authorize?a=1&b=2' }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Process' -Times 1 -Exactly -ParameterFilter { $FilePath -eq $Opener }
        if ($Platform -ne 'Windows') {
            Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Start-Process' -Times 1 -Exactly -ParameterFilter {
                ($ArgumentList -join ' ') -eq '"http://localhost:8080/common/oauth2/v2.0/authorize?a=1&b=2"'
            }
        }
    }
}

Describe 'Test-MSCommerceBrowserAvailable' {
    BeforeEach {
        $script:savedDisplay = $env:DISPLAY
        $script:savedWayland = $env:WAYLAND_DISPLAY
    }

    AfterEach {
        $env:DISPLAY = $script:savedDisplay
        $env:WAYLAND_DISPLAY = $script:savedWayland
    }

    It 'Should say no on Linux without a graphical session' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommercePlatform' -MockWith { 'Linux' }
        $env:DISPLAY = $null
        $env:WAYLAND_DISPLAY = $null
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Test-MSCommerceBrowserAvailable } | Should -BeFalse
    }

    It 'Should say yes on Linux with a graphical session exactly when xdg-open is installed' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommercePlatform' -MockWith { 'Linux' }
        $env:DISPLAY = ':0'
        $installed = $null -ne (Get-Command -Name 'xdg-open' -CommandType Application -ErrorAction SilentlyContinue)
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Test-MSCommerceBrowserAvailable } | Should -Be $installed
    }

    It 'Should say yes on Windows' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Get-MSCommercePlatform' -MockWith { 'Windows' }
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Test-MSCommerceBrowserAvailable } | Should -BeTrue
    }
}

Describe 'Find-MSCommerceCertificate' {
    It 'Should refuse a thumbprint that is not 40 hexadecimal digits' {
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Find-MSCommerceCertificate -Thumbprint 'not-a-thumbprint' } } | Should -Throw -ErrorId 'CertificateThumbprintInvalid*'
    }

    It 'Should say which stores it searched when the certificate is in none' {
        { InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { Find-MSCommerceCertificate -Thumbprint ('00' * 20) } } |
            Should -Throw -ErrorId 'CertificateNotFound*' -ExpectedMessage '*CurrentUser\My or LocalMachine\My*'
    }

    # macOS keeps CurrentUser\My in the login keychain, where adding a certificate may ask the person.
    It 'Should find a certificate of CurrentUser\My by its thumbprint, in any case and with spaces' -Skip:([bool]$IsMacOS) {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = New-Object -TypeName System.Security.Cryptography.X509Certificates.CertificateRequest -ArgumentList 'CN=MSCommerce store test', $rsa, ([System.Security.Cryptography.HashAlgorithmName]::SHA256), ([System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $ephemeral = $request.CreateSelfSigned([System.DateTimeOffset]::UtcNow.AddMinutes(-5), [System.DateTimeOffset]::UtcNow.AddDays(1))
        # A store keeps a key only from a certificate whose key can be exported and persisted: round-trip a PFX.
        $pfx = $ephemeral.Export([System.Security.Cryptography.X509Certificates.X509ContentType]::Pfx, 'pfx-password')
        $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]'PersistKeySet, Exportable, UserKeySet'
        $certificate = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $pfx, 'pfx-password', $flags
        $store = New-Object -TypeName System.Security.Cryptography.X509Certificates.X509Store -ArgumentList 'My', ([System.Security.Cryptography.X509Certificates.StoreLocation]::CurrentUser)
        $store.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite)
        $store.Add($certificate)
        try {
            $spaced = ($certificate.Thumbprint.ToLowerInvariant() -replace '(..)', '$1 ').Trim()
            $found = InModuleScope -ModuleName 'MSCommerce' -Parameters @{ Thumbprint = $spaced } -ScriptBlock {
                param($Thumbprint)
                Find-MSCommerceCertificate -Thumbprint $Thumbprint
            }
            $found.Thumbprint | Should -Be $certificate.Thumbprint
            $found.HasPrivateKey | Should -BeTrue
        }
        finally {
            $store.Remove($certificate)
            $store.Dispose()
        }
    }
}
