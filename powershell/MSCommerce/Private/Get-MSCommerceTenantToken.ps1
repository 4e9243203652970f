function Get-MSCommerceTenantToken {
    <#
    .SYNOPSIS
        Returns an access token for another organization (a partner's customer), from the current connection.

    .DESCRIPTION
        A partner's user or application signs in at home (Connect-MSCommerce) and acts for a customer with a
        token from the customer's token endpoint, {Uri}/{TenantId}/oauth2/v2.0/token, which the service issues
        only while a delegated admin relationship between them is active. The connection's own grant is repeated
        there: the refresh token of a browser or device code sign-in (its rotated successor replaces it in the
        connection, since the service has spent the old one), or the application's secret or certificate, or the
        password. Tokens are kept per tenant in the connection and renewed two minutes before they expire.
        Without a connection that can ask for tokens (none, or one made with -AccessToken), throws a terminating
        ErrorRecord 'TenantTokenUnavailable' (category AuthenticationError): a token names one tenant only.

    .PARAMETER TenantId
        The customer's tenant ID (or one of its domain names).

    .EXAMPLE
        Get-MSCommerceTenantToken -TenantId '8f1c5a4e-0000-4000-8000-000000000001'

        Returns a token for that customer.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string]$TenantId
    )

    $connection = $script:MSCommerceConnection
    if ($null -eq $connection -or $null -eq $connection.TokenRequest) {
        $splatError = @{
            Message           = "Cannot act for the organization '$TenantId': -TenantId needs a connection that can ask for tokens (Connect-MSCommerce in the browser, with a device code, a certificate, a secret or a password), not -Token or -AccessToken, whose token names one organization only."
            ErrorId           = 'TenantTokenUnavailable'
            Category          = 'AuthenticationError'
            TargetObject      = $TenantId
            RecommendedAction = 'Call Connect-MSCommerce without -AccessToken, then pass -TenantId.'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
    if ($null -eq $connection.TenantTokens) {
        $connection.TenantTokens = @{}
    }
    $key = $TenantId.ToLowerInvariant()
    $held = $connection.TenantTokens[$key]
    if ($null -ne $held -and $held.ExpiresOn -gt [datetime]::UtcNow.AddMinutes(2)) {
        return $held.AccessToken
    }

    $tokenRequest = $connection.TokenRequest.Clone()
    $tokenRequest['TenantId'] = $TenantId
    $issued = Request-MSCommerceToken -BaseUri $connection.Uri @tokenRequest
    if ($connection.TokenRequest.GrantType -eq 'refresh_token' -and -not [string]::IsNullOrEmpty($issued.RefreshToken)) {
        # The refresh token rotated: the one the connection held is spent.
        $connection.TokenRequest.RefreshToken = $issued.RefreshToken
    }
    $connection.TenantTokens[$key] = @{ AccessToken = $issued.AccessToken; ExpiresOn = $issued.ExpiresOn }
    return $issued.AccessToken
}
