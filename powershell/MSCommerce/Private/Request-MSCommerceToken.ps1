function Request-MSCommerceToken {
    <#
    .SYNOPSIS
        Asks the service's OAuth2 token endpoint for an access token.

    .DESCRIPTION
        Posts a form to {BaseUri}/oauth2/v2.0/token, or to {BaseUri}/{TenantId}/oauth2/v2.0/token when -TenantId
        is given (a tenant ID, a domain name, 'organizations' or 'common', passed as it is). The grants:
        - password: username and password of -Credential;
        - client_credentials: -ClientId with -ClientSecret (client_secret), or with -Certificate (a client
          assertion, client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer, whose aud is
          the URL of the token endpoint posted to; see New-MSCommerceClientAssertion);
        - authorization_code: -Code, -RedirectUri, -CodeVerifier (PKCE), client_info=1;
        - device_code: grant_type urn:ietf:params:oauth:grant-type:device_code with -DeviceCode;
        - refresh_token: -RefreshToken.
        client_id and scope are sent when given (the device code grant sends no scope: it was fixed when the
        code was asked for). Secrets are turned into plain text only to build the form. A failure is thrown as
        an ErrorRecord whose message starts with Microsoft's "Unable to establish connection".

    .PARAMETER BaseUri
        The service address.

    .PARAMETER GrantType
        'password', 'client_credentials', 'authorization_code', 'device_code' or 'refresh_token'.

    .PARAMETER Credential
        The user name and password (password grant).

    .PARAMETER ClientId
        The application (client) ID.

    .PARAMETER ClientSecret
        The application's secret (client_credentials grant).

    .PARAMETER Certificate
        The application's certificate with its private key (client_credentials grant).

    .PARAMETER Code
        The authorization code the browser's redirect brought.

    .PARAMETER RedirectUri
        The redirect URI of the authorization request, exactly as sent.

    .PARAMETER CodeVerifier
        The PKCE code verifier of the authorization request.

    .PARAMETER DeviceCode
        The device_code of the device authorization answer.

    .PARAMETER RefreshToken
        The newest refresh token.

    .PARAMETER TenantId
        The tenant the user or application must belong to.

    .PARAMETER Scope
        The OAuth2 scope, for example 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'.

    .EXAMPLE
        Request-MSCommerceToken -BaseUri 'http://localhost:8080' -GrantType 'password' -Credential (Get-Credential)

        Signs a user in and returns the token and its expiry.

    .OUTPUTS
        System.Management.Automation.PSCustomObject with AccessToken, ExpiresOn (UTC), RefreshToken and IdToken
        (both $null when the answer has none).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$BaseUri,

        [Parameter(Mandatory)]
        [ValidateSet('password', 'client_credentials', 'authorization_code', 'device_code', 'refresh_token')]
        [string]$GrantType,

        [pscredential]$Credential,

        [string]$ClientId,

        [System.Security.SecureString]$ClientSecret,

        [System.Security.Cryptography.X509Certificates.X509Certificate2]$Certificate,

        [string]$Code,

        [string]$RedirectUri,

        [string]$CodeVerifier,

        [string]$DeviceCode,

        [string]$RefreshToken,

        [string]$TenantId,

        [string]$Scope
    )

    $scoped = -not [string]::IsNullOrEmpty($TenantId)

    $form = [ordered]@{ grant_type = $GrantType }
    switch ($GrantType) {
        'password' {
            $form['username'] = $Credential.UserName
            $form['password'] = $Credential.GetNetworkCredential().Password
        }
        'client_credentials' {
            if ($null -ne $Certificate) {
                # aud is the token endpoint exactly as posted to (RFC 7523 section 3), tenant segment included.
                $splatAudience = @{ BaseUri = (Get-MSCommerceBaseUri -BaseUri $BaseUri); Path = '/oauth2/v2.0/token' }
                if ($scoped) {
                    $splatAudience = @{
                        BaseUri       = (Get-MSCommerceBaseUri -BaseUri $BaseUri)
                        Path          = '/{tenantId}/oauth2/v2.0/token'
                        PathParameter = @{ tenantId = $TenantId }
                    }
                }
                $audience = Join-MSCommerceUri @splatAudience
                $form['client_assertion_type'] = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
                $form['client_assertion'] = New-MSCommerceClientAssertion -Certificate $Certificate -ClientId $ClientId -Audience $audience
            }
            else {
                $form['client_secret'] = ConvertFrom-MSCommerceSecureString -SecureString $ClientSecret
            }
        }
        'authorization_code' {
            $form['code'] = $Code
            $form['redirect_uri'] = $RedirectUri
            $form['code_verifier'] = $CodeVerifier
        }
        'device_code' {
            $form['grant_type'] = 'urn:ietf:params:oauth:grant-type:device_code'
            $form['device_code'] = $DeviceCode
        }
        'refresh_token' {
            $form['refresh_token'] = $RefreshToken
        }
    }
    if (-not [string]::IsNullOrEmpty($ClientId)) {
        $form['client_id'] = $ClientId
    }
    if (-not [string]::IsNullOrEmpty($Scope) -and $GrantType -ne 'device_code') {
        $form['scope'] = $Scope
    }
    if ($GrantType -eq 'authorization_code') {
        $form['client_info'] = '1'
    }

    $splatToken = @{
        FormBody     = $form
        Anonymous    = $true
        BaseUri      = $BaseUri
        ErrorContext = 'Unable to establish connection'
        TargetObject = $BaseUri
    }
    if ($scoped) {
        $splatToken['PathParameter'] = @{ tenantId = $TenantId }
        $answer = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/{tenantId}/oauth2/v2.0/token' @splatToken
    }
    else {
        $answer = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/oauth2/v2.0/token' @splatToken
    }

    if ($null -eq $answer -or [string]::IsNullOrEmpty([string]$answer.access_token)) {
        $splatError = @{
            Message      = 'Unable to establish connection, ErrorMessage - The answer carries no access_token.'
            ErrorId      = 'TokenMissingFromAnswer'
            Category     = 'AuthenticationError'
            TargetObject = $BaseUri
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $lifetime = 3600
    if ($null -ne $answer.expires_in) {
        $lifetime = [int]$answer.expires_in
    }
    $refresh = $null
    if (-not [string]::IsNullOrEmpty([string]$answer.refresh_token)) {
        $refresh = [string]$answer.refresh_token
    }
    $idToken = $null
    if (-not [string]::IsNullOrEmpty([string]$answer.id_token)) {
        $idToken = [string]$answer.id_token
    }
    [pscustomobject]@{
        AccessToken  = [string]$answer.access_token
        ExpiresOn    = [datetime]::UtcNow.AddSeconds($lifetime)
        RefreshToken = $refresh
        IdToken      = $idToken
    }
}
