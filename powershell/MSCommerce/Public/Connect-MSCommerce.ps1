function Connect-MSCommerce {
    <#
    .SYNOPSIS
        Signs in to an MSCommerce service and keeps the access token for the other commands.

    .DESCRIPTION
        Obtains an access token from the service's OAuth2 endpoints, shaped like Microsoft Entra's
        ({Uri}/{TenantId}/oauth2/v2.0/...), and keeps it, with the service address, in the module's session until
        Disconnect-MSCommerce or the end of the PowerShell session. The ways to sign in:
        - without parameters (or with only Microsoft's -ClientId, -RedirectUri, -Resource, and -TenantId): in the
          system browser, as Microsoft's module did. The authorization code flow with PKCE (S256): a listener on a
          free port of this computer receives the browser's answer, the browser is opened with Start-Process on
          Windows, 'open' on macOS and 'xdg-open' on Linux, and the answer's state is checked. It waits five
          minutes at most. Under -NonInteractive, or where no browser can be opened (a server over SSH), it stops
          at once with an error that names -UseDeviceCode, -Credential and -Certificate;
        - -UseDeviceCode: shows an address and a code as a warning (as Connect-AzAccount -UseDeviceAuthentication
          does) and waits while the code is entered in a browser on any device;
        - -Credential: a user name and password (password grant), unattended;
        - -Certificate or -CertificateThumbprint, with -ClientId and -TenantId: an application signs in
          unattended with its certificate (a signed client assertion; the private key never leaves the
          certificate);
        - -ClientId, -ClientSecret and -TenantId: an application signs in unattended with a secret;
        - -AccessToken: a token obtained elsewhere is used as it is.
        Tokens are renewed shortly before they expire, so long-running scripts keep working: a browser or device
        code sign-in with its refresh token (which rotates: the newest is kept, in memory only, never written to
        disk or to any stream), the others by signing in again the same way. As in Microsoft's module, the token
        is also set as the variable $token of the caller; the commands use the connection, and a string $token
        only when there is no connection and no -Token. On success it shows "Connection established
        successfully" (information stream, as Write-Host does; nothing is written to the pipeline).

    .PARAMETER ClientId
        The application (client) ID. For a browser or device code sign-in, the public client to sign in as, as in
        Microsoft's module; by default Microsoft's '3d5cffa9-04da-4657-8cab-c7f074657cad', which the service
        knows in every tenant. With -Credential it is sent as client_id only when given. With -ClientSecret,
        -Certificate or -CertificateThumbprint it is required and names the application that signs in.

    .PARAMETER RedirectUri
        The redirect URI of a browser sign-in, as in Microsoft's module; by default
        'http://localhost/m365/commerce'. It must be a loopback address (http on localhost, 127.0.0.1 or [::1]),
        where this command listens for the browser's answer: without a port a free one is chosen
        (http://localhost:53124/m365/commerce), with a port that port is used. Accepted and not used with
        -Credential.

    .PARAMETER Resource
        The resource the token is for: its '/.default' scope is asked. Both Microsoft's 1.x value
        'aeb86249-8ea3-49e2-900b-54cc8e308f85' and its 2.x value 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'
        work. A browser or device code sign-in asks '{Resource}/.default openid profile offline_access', by
        default for 'aeb86249-8ea3-49e2-900b-54cc8e308f85'. For the other ways, when it is not given no scope is
        sent and the service issues a token for itself.

    .PARAMETER Credential
        The user name (UPN, for example admin@contoso.onmicrosoft.com) and password of a user of the service.
        -AdminAccount, the name in Microsoft's module 1.x, is an alias, and the fourth positional value binds here
        as it did in 1.x (Connect-MSCommerce $clientId $redirectUri $resource $credential).

    .PARAMETER UseDeviceCode
        Signs in with a device code: the address and the code are shown, and the sign-in happens in a browser on
        any device (a phone, another computer). For hosts without a browser.

    .PARAMETER ClientSecret
        The secret of the application named by -ClientId, as a SecureString (for example from
        Get-Secret of Microsoft.PowerShell.SecretManagement, or ConvertTo-SecureString).

    .PARAMETER Certificate
        The certificate of the application named by -ClientId, with its private key (RSA), as an X509Certificate2:
        for example Get-Item Cert:\CurrentUser\My\<thumbprint>, or one loaded from a .pfx file.

    .PARAMETER CertificateThumbprint
        The thumbprint of the application's certificate, looked up in Cert:\CurrentUser\My, then
        Cert:\LocalMachine\My (on Linux and macOS the same stores through .NET's X509Store).

    .PARAMETER TenantId
        The tenant to sign in to: its ID (a GUID, as 'mscommerce tenant list' shows it), one of its domain names
        (contoso.onmicrosoft.com), 'organizations' or 'common'. Passed to the service as it is. Required with
        -ClientSecret, -Certificate and -CertificateThumbprint; 'common' by default for a browser or device code
        sign-in; optional with -Credential, where the user must then belong to it.

    .PARAMETER AccessToken
        An access token obtained elsewhere (another tool, a pipeline secret). It is used as it is and not renewed.

    .PARAMETER Uri
        The address of the service. Defaults to the environment variable MSCOMMERCE_URI, else
        http://localhost:8080.

    .EXAMPLE
        Connect-MSCommerce

        Opens the browser to sign in to the service at $env:MSCOMMERCE_URI or http://localhost:8080.

    .EXAMPLE
        Connect-MSCommerce -Uri 'https://mscommerce.contoso.com' -TenantId 'contoso.onmicrosoft.com' -UseDeviceCode

        Shows an address and a code to sign in with from another device, for example over SSH.

    .EXAMPLE
        $credential = Get-Credential -UserName 'admin@contoso.onmicrosoft.com' -Message 'MSCommerce'
        Connect-MSCommerce -Uri 'https://mscommerce.contoso.com' -Credential $credential

        Signs a user in with a password, without a browser.

    .EXAMPLE
        Connect-MSCommerce -ClientId '6f1c2a8e-0000-4000-8000-000000000001' -CertificateThumbprint '3C4F1E0A9B8D7C6E5F4A3B2C1D0E9F8A7B6C5D4E' -TenantId 'contoso.onmicrosoft.com'

        Signs an application in unattended with its certificate, for a scheduled task or a pipeline.

    .EXAMPLE
        $secret = Get-Secret -Name 'MSCommerceAutomation'
        Connect-MSCommerce -ClientId '6f1c2a8e-0000-4000-8000-000000000001' -ClientSecret $secret -TenantId '2b7c5e1a-9f3d-4c8e-a6b0-5d4f3e2a1c90'

        Signs an application in unattended with a secret.

    .EXAMPLE
        Get-Content -Path './token.txt' -Raw | ForEach-Object -Process { Connect-MSCommerce -AccessToken $_.Trim() }

        Uses a token obtained by another tool.

    .INPUTS
        None.

    .OUTPUTS
        None. The status line goes to the information stream.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Interactive')]
    [OutputType([void])]
    param(
        [Parameter(ParameterSetName = 'Interactive', Position = 0)]
        [Parameter(ParameterSetName = 'Credential', Position = 0)]
        [Parameter(ParameterSetName = 'DeviceCode')]
        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [Parameter(ParameterSetName = 'Certificate', Mandatory)]
        [Parameter(ParameterSetName = 'CertificateThumbprint', Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$ClientId,

        [Parameter(ParameterSetName = 'Interactive', Position = 1)]
        [Parameter(ParameterSetName = 'Credential', Position = 1)]
        [Uri]$RedirectUri,

        [Parameter(ParameterSetName = 'Interactive', Position = 2)]
        [Parameter(ParameterSetName = 'Credential', Position = 2)]
        [Parameter(ParameterSetName = 'DeviceCode')]
        [Parameter(ParameterSetName = 'ClientSecret')]
        [Parameter(ParameterSetName = 'Certificate')]
        [Parameter(ParameterSetName = 'CertificateThumbprint')]
        [ValidateNotNullOrEmpty()]
        [string]$Resource,

        # AdminAccount at position 3: Microsoft's 1.x name and automatic position for its unattended sign-in.
        [Parameter(ParameterSetName = 'Credential', Mandatory, Position = 3)]
        [Alias('AdminAccount')]
        [System.Management.Automation.Credential()]
        [pscredential]$Credential,

        # Each set other than the default has a mandatory parameter of its own (-Credential, -UseDeviceCode,
        # -ClientSecret, -Certificate, -CertificateThumbprint, -AccessToken), so naming it picks the set, and a call
        # naming none of them falls back to the default set: the engine's binder never finds two candidate sets
        # without the default among them (PowerShell's src/System.Management.Automation/engine/
        # CmdletParameterBinderController.cs, GetMissingMandatoryParameters and ThrowAmbiguousParameterSetException).
        [Parameter(ParameterSetName = 'DeviceCode', Mandatory)]
        [switch]$UseDeviceCode,

        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [System.Security.SecureString]$ClientSecret,

        [Parameter(ParameterSetName = 'Certificate', Mandatory)]
        [ValidateNotNull()]
        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,

        [Parameter(ParameterSetName = 'CertificateThumbprint', Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$CertificateThumbprint,

        [Parameter(ParameterSetName = 'ClientSecret', Mandatory)]
        [Parameter(ParameterSetName = 'Certificate', Mandatory)]
        [Parameter(ParameterSetName = 'CertificateThumbprint', Mandatory)]
        [Parameter(ParameterSetName = 'Interactive')]
        [Parameter(ParameterSetName = 'Credential')]
        [Parameter(ParameterSetName = 'DeviceCode')]
        [ValidateNotNullOrEmpty()]
        [string]$TenantId,

        [Parameter(ParameterSetName = 'AccessToken', Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$AccessToken,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$Uri
    )

    if ($PSCmdlet.ParameterSetName -eq 'Credential' -and $PSBoundParameters.ContainsKey('RedirectUri')) {
        Write-Verbose -Message "RedirectUri '$RedirectUri' is accepted for compatibility; a password sign-in has no redirect."
    }

    $baseUri = Get-MSCommerceDefaultUri
    if ($PSBoundParameters.ContainsKey('Uri')) {
        $baseUri = $Uri.Trim().TrimEnd('/')
    }
    $parsedUri = $null
    $validUri = [uri]::TryCreate($baseUri, [System.UriKind]::Absolute, [ref]$parsedUri)
    if (-not $validUri -or @('http', 'https') -notcontains $parsedUri.Scheme) {
        $splatError = @{
            Message      = "Unable to establish connection, ErrorMessage - '$baseUri' is not an http or https address."
            ErrorId      = 'InvalidUri'
            Category     = 'InvalidArgument'
            TargetObject = $baseUri
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    # Microsoft's module: the public client, its redirect URI and the License Manager resource.
    $publicClientId = '3d5cffa9-04da-4657-8cab-c7f074657cad'
    $defaultRedirectUri = 'http://localhost/m365/commerce'
    $defaultResource = 'aeb86249-8ea3-49e2-900b-54cc8e308f85'

    $resourceScope = ''
    if ($PSBoundParameters.ContainsKey('Resource')) {
        $resourceScope = $Resource
        if (-not $resourceScope.EndsWith('/.default', [System.StringComparison]::OrdinalIgnoreCase)) {
            $resourceScope = $resourceScope.TrimEnd('/') + '/.default'
        }
    }

    $token = $AccessToken
    $expiresOn = $null
    $tokenRequest = $null
    try {
        switch ($PSCmdlet.ParameterSetName) {
            'AccessToken' {
                $tokenRequest = $null
            }
            'ClientSecret' {
                $tokenRequest = @{
                    GrantType    = 'client_credentials'
                    ClientId     = $ClientId
                    ClientSecret = $ClientSecret
                    TenantId     = $TenantId
                    Scope        = $resourceScope
                }
            }
            { $_ -eq 'Certificate' -or $_ -eq 'CertificateThumbprint' } {
                $appCertificate = $Certificate
                if ($PSCmdlet.ParameterSetName -eq 'CertificateThumbprint') {
                    $appCertificate = Find-MSCommerceCertificate -Thumbprint $CertificateThumbprint
                }
                $tokenRequest = @{
                    GrantType   = 'client_credentials'
                    ClientId    = $ClientId
                    Certificate = $appCertificate
                    TenantId    = $TenantId
                    Scope       = $resourceScope
                }
            }
            'Credential' {
                $tokenRequest = @{
                    GrantType  = 'password'
                    Credential = $Credential
                    ClientId   = $ClientId
                    TenantId   = $TenantId
                    Scope      = $resourceScope
                }
            }
            default {
                # A person signs in (browser or device code): Microsoft's defaults, and a refresh token asked for.
                $userClientId = $publicClientId
                if ($PSBoundParameters.ContainsKey('ClientId')) {
                    $userClientId = $ClientId
                }
                $tenant = 'common'
                if ($PSBoundParameters.ContainsKey('TenantId')) {
                    $tenant = $TenantId
                }
                if ([string]::IsNullOrEmpty($resourceScope)) {
                    $resourceScope = $defaultResource + '/.default'
                }
                $userScope = $resourceScope + ' openid profile offline_access'
                if ($PSCmdlet.ParameterSetName -eq 'DeviceCode') {
                    $issued = Invoke-MSCommerceDeviceCodeSignIn -BaseUri $baseUri -Tenant $tenant -ClientId $userClientId -Scope $userScope
                }
                else {
                    $redirect = [uri]$defaultRedirectUri
                    if ($PSBoundParameters.ContainsKey('RedirectUri')) {
                        $redirect = $RedirectUri
                    }
                    $splatBrowser = @{
                        BaseUri     = $baseUri
                        Tenant      = $tenant
                        ClientId    = $userClientId
                        RedirectUri = $redirect
                        Scope       = $userScope
                    }
                    $issued = Invoke-MSCommerceBrowserSignIn @splatBrowser
                }
                $token = $issued.AccessToken
                $expiresOn = $issued.ExpiresOn
                if (-not [string]::IsNullOrEmpty($issued.RefreshToken)) {
                    $tokenRequest = @{
                        GrantType    = 'refresh_token'
                        RefreshToken = $issued.RefreshToken
                        ClientId     = $userClientId
                        TenantId     = $tenant
                        Scope        = $userScope
                    }
                }
            }
        }
        if ($null -ne $tokenRequest -and $tokenRequest.GrantType -ne 'refresh_token') {
            $issued = Request-MSCommerceToken -BaseUri $baseUri @tokenRequest
            $token = $issued.AccessToken
            $expiresOn = $issued.ExpiresOn
        }
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }

    $claims = ConvertFrom-MSCommerceJwt -Token $token
    $account = '(unknown account)'
    if ($null -ne $claims) {
        foreach ($claim in @($claims.upn, $claims.appid, $claims.azp)) {
            if (-not [string]::IsNullOrEmpty([string]$claim)) {
                $account = "$claim, tenant $($claims.tid)"
                break
            }
        }
        if ($null -eq $expiresOn -and $null -ne $claims.exp) {
            $epoch = New-Object -TypeName System.DateTime -ArgumentList 1970, 1, 1, 0, 0, 0, ([System.DateTimeKind]::Utc)
            $expiresOn = $epoch.AddSeconds([double]$claims.exp)
        }
    }
    if ($null -ne $expiresOn -and $expiresOn -le [datetime]::UtcNow) {
        Write-Warning -Message "The access token expired at $($expiresOn.ToString('u')); calls will fail."
    }

    $script:MSCommerceConnection = @{
        Uri          = $baseUri
        AccessToken  = $token
        ExpiresOn    = $expiresOn
        TokenRequest = $tokenRequest
    }
    # Microsoft's module keeps the token as $token in the caller's session state, and scripts written for it read
    # $token after connecting ($PSCmdlet.SessionState is the caller's: PowerShell's CommandBase.cs, State).
    $PSCmdlet.SessionState.PSVariable.Set('token', $token)
    Write-Verbose -Message "Connected to $baseUri as $account."
    Write-MSCommerceStatus -Message 'Connection established successfully'
}
