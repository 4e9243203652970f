function Get-MSCommerceAccessToken {
    <#
    .SYNOPSIS
        Returns the access token for a request.

    .DESCRIPTION
        -Token when given (Microsoft's override, which needs no connection). Otherwise the token of the current
        connection; when it expires within two minutes and the connection can renew it, a new token is
        requested first: with the refresh token for a browser or device code sign-in (the answer's new refresh
        token replaces the old one, which the service has spent: refresh tokens rotate), or by repeating the
        grant for -Credential, -ClientSecret and -Certificate (a new client assertion each time). Without a
        connection it throws Microsoft's message "You must call the Connect-MSCommerce cmdlet before calling any
        other cmdlets" as a terminating ErrorRecord 'NotConnected' (category AuthenticationError).

    .PARAMETER Token
        A token that overrides the connection's.

    .EXAMPLE
        Get-MSCommerceAccessToken

        Returns the connection's token, renewed when needed.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string]$Token
    )

    if (-not [string]::IsNullOrWhiteSpace($Token)) {
        return $Token.Trim()
    }

    $connection = $script:MSCommerceConnection
    if ($null -eq $connection -or [string]::IsNullOrEmpty($connection.AccessToken)) {
        $splatError = @{
            Message           = 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
            ErrorId           = 'NotConnected'
            Category          = 'AuthenticationError'
            RecommendedAction = 'Call Connect-MSCommerce, or pass an access token with -Token.'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $renewBefore = [datetime]::UtcNow.AddMinutes(2)
    $renewable = $null -ne $connection.TokenRequest -and $null -ne $connection.ExpiresOn
    if ($renewable -and $connection.ExpiresOn -le $renewBefore) {
        Write-Verbose -Message 'The access token expires within two minutes; requesting a new one.'
        $tokenRequest = $connection.TokenRequest
        $renewed = Request-MSCommerceToken -BaseUri $connection.Uri @tokenRequest
        $connection.AccessToken = $renewed.AccessToken
        $connection.ExpiresOn = $renewed.ExpiresOn
        if ($tokenRequest.GrantType -eq 'refresh_token') {
            if ([string]::IsNullOrEmpty($renewed.RefreshToken)) {
                # Without a new refresh token the spent one cannot renew again: the token lives until it expires.
                $connection.TokenRequest = $null
            }
            else {
                $tokenRequest.RefreshToken = $renewed.RefreshToken
            }
        }
    }
    return $connection.AccessToken
}
