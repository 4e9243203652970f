function Invoke-MSCommerceBrowserSignIn {
    <#
    .SYNOPSIS
        Signs a person in in the system browser: authorization code with PKCE and a loopback redirect.

    .DESCRIPTION
        Refuses at once, naming the sign-ins that need no browser (-UseDeviceCode, -Credential, -Certificate),
        when PowerShell runs with -NonInteractive (Test-MSCommerceNonInteractive) or no browser can be opened
        (Test-MSCommerceBrowserAvailable). Otherwise: a new PKCE verifier (S256), state and nonce; the loopback
        listener on the redirect URI (a free port when it names none); the browser opened on
        GET {BaseUri}/{Tenant}/oauth2/v2.0/authorize?client_id&response_type=code&redirect_uri&scope&state&nonce&
        code_challenge&code_challenge_method=S256; the redirect awaited and checked (state first); then the code
        exchanged at the token endpoint with the verifier. The listener is closed whatever happens.

    .PARAMETER BaseUri
        The service address.

    .PARAMETER Tenant
        The tenant segment: a tenant ID, a domain name, 'organizations' or 'common'.

    .PARAMETER ClientId
        The public client to sign in as.

    .PARAMETER RedirectUri
        The loopback redirect URI.

    .PARAMETER Scope
        The scopes asked for.

    .PARAMETER TimeoutSeconds
        How long to wait for the person to sign in.

    .EXAMPLE
        Invoke-MSCommerceBrowserSignIn -BaseUri 'http://localhost:8080' -Tenant 'common' -ClientId '3d5cffa9-04da-4657-8cab-c7f074657cad' -RedirectUri 'http://localhost/m365/commerce' -Scope 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default openid profile offline_access'

        Opens the browser and returns the tokens once the person has signed in.

    .OUTPUTS
        System.Management.Automation.PSCustomObject: the answer of Request-MSCommerceToken, plus RedirectUri.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$BaseUri,

        [Parameter(Mandatory)]
        [string]$Tenant,

        [Parameter(Mandatory)]
        [string]$ClientId,

        [Parameter(Mandatory)]
        [uri]$RedirectUri,

        [Parameter(Mandatory)]
        [string]$Scope,

        [ValidateRange(1, 86400)]
        [int]$TimeoutSeconds = 300
    )

    $nonInteractive = Test-MSCommerceNonInteractive
    if ($nonInteractive -or -not (Test-MSCommerceBrowserAvailable)) {
        $why = 'no web browser can be opened on this computer'
        if ($nonInteractive) {
            $why = 'PowerShell runs with -NonInteractive'
        }
        $splatError = @{
            Message           = "Unable to establish connection, ErrorMessage - A browser sign-in is not possible: $why. Sign in with Connect-MSCommerce -UseDeviceCode (a code to enter in a browser elsewhere), -Credential (a user name and password), or -Certificate / -CertificateThumbprint or -ClientSecret with -ClientId and -TenantId (an application, unattended)."
            ErrorId           = 'InteractiveSignInUnavailable'
            Category          = 'InvalidOperation'
            TargetObject      = $BaseUri
            RecommendedAction = 'Use -UseDeviceCode, -Credential or -Certificate.'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $pkce = Get-MSCommercePkce
    $state = Get-MSCommerceRandomString -ByteCount 16
    $nonce = Get-MSCommerceRandomString -ByteCount 16
    $loopback = Open-MSCommerceLoopbackListener -RedirectUri $RedirectUri
    try {
        $authorizeQuery = [ordered]@{
            client_id             = $ClientId
            response_type         = 'code'
            redirect_uri          = $loopback.RedirectUri
            scope                 = $Scope
            state                 = $state
            nonce                 = $nonce
            code_challenge        = $pkce.Challenge
            code_challenge_method = $pkce.Method
        }
        $splatAuthorize = @{
            BaseUri       = $BaseUri
            Path          = '/{tenantId}/oauth2/v2.0/authorize'
            PathParameter = @{ tenantId = $Tenant }
            Query         = $authorizeQuery
        }
        $authorizeUri = Join-MSCommerceUri @splatAuthorize
        Write-MSCommerceStatus -Message "Opening the browser to sign in. If it does not open, go to: $authorizeUri"
        Open-MSCommerceBrowser -Uri $authorizeUri
        $code = Receive-MSCommerceAuthorizationResponse -Loopback $loopback -ExpectedState $state -TimeoutSeconds $TimeoutSeconds
    }
    finally {
        $loopback.Listener.Close()
    }

    $splatToken = @{
        BaseUri      = $BaseUri
        GrantType    = 'authorization_code'
        Code         = $code
        RedirectUri  = $loopback.RedirectUri
        CodeVerifier = $pkce.Verifier
        ClientId     = $ClientId
        TenantId     = $Tenant
        Scope        = $Scope
    }
    $issued = Request-MSCommerceToken @splatToken
    $issued | Add-Member -MemberType NoteProperty -Name 'RedirectUri' -Value $loopback.RedirectUri
    return $issued
}
