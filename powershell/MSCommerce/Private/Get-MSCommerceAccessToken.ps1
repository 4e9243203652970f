function Get-MSCommerceAccessToken {
    <#
    .SYNOPSIS
        Returns the access token for a request.

    .DESCRIPTION
        -Token when given (Microsoft's override, which needs no connection). Otherwise the token of the current
        connection; when it expires within two minutes and the connection was made with a grant that needs no
        person (-Credential or -ClientId/-ClientSecret/-TenantId), a new token is requested first. Without a
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
    }
    return $connection.AccessToken
}
