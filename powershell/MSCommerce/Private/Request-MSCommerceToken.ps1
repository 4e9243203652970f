function Request-MSCommerceToken {
    <#
    .SYNOPSIS
        Asks the service's OAuth2 token endpoint for an access token.

    .DESCRIPTION
        Posts a form to {BaseUri}/oauth2/v2.0/token, or to {BaseUri}/{TenantId}/oauth2/v2.0/token when -TenantId
        is given: grant_type=password with the user name and password of -Credential, or
        grant_type=client_credentials with -ClientId and -ClientSecret. client_id and scope are sent only when
        given. Secrets are turned into plain text only to build the form. A failure is thrown as an ErrorRecord
        whose message starts with Microsoft's "Unable to establish connection".

    .PARAMETER BaseUri
        The service address.

    .PARAMETER GrantType
        'password' or 'client_credentials'.

    .PARAMETER Credential
        The user name and password (password grant).

    .PARAMETER ClientId
        The application (client) ID.

    .PARAMETER ClientSecret
        The application's secret (client_credentials grant).

    .PARAMETER TenantId
        The tenant the user or application must belong to.

    .PARAMETER Scope
        The OAuth2 scope, for example 'aeb86249-8ea3-49e2-900b-54cc8e308f85/.default'.

    .EXAMPLE
        Request-MSCommerceToken -BaseUri 'http://localhost:8080' -GrantType 'password' -Credential (Get-Credential)

        Signs a user in and returns the token and its expiry.

    .OUTPUTS
        System.Management.Automation.PSCustomObject with AccessToken and ExpiresOn (UTC).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$BaseUri,

        [Parameter(Mandatory)]
        [ValidateSet('password', 'client_credentials')]
        [string]$GrantType,

        [pscredential]$Credential,

        [string]$ClientId,

        [System.Security.SecureString]$ClientSecret,

        [string]$TenantId,

        [string]$Scope
    )

    $form = [ordered]@{ grant_type = $GrantType }
    if ($GrantType -eq 'password') {
        $form['username'] = $Credential.UserName
        $form['password'] = $Credential.GetNetworkCredential().Password
    }
    else {
        $form['client_secret'] = ConvertFrom-MSCommerceSecureString -SecureString $ClientSecret
    }
    if (-not [string]::IsNullOrEmpty($ClientId)) {
        $form['client_id'] = $ClientId
    }
    if (-not [string]::IsNullOrEmpty($Scope)) {
        $form['scope'] = $Scope
    }

    $splatToken = @{
        FormBody     = $form
        Anonymous    = $true
        BaseUri      = $BaseUri
        ErrorContext = 'Unable to establish connection'
        TargetObject = $BaseUri
    }
    if ([string]::IsNullOrEmpty($TenantId)) {
        $answer = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/oauth2/v2.0/token' @splatToken
    }
    else {
        $splatToken['PathParameter'] = @{ tenantId = $TenantId }
        $answer = Invoke-MSCommerceRestMethod -Method 'POST' -Path '/{tenantId}/oauth2/v2.0/token' @splatToken
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
    [pscustomobject]@{
        AccessToken = [string]$answer.access_token
        ExpiresOn   = [datetime]::UtcNow.AddSeconds($lifetime)
    }
}
