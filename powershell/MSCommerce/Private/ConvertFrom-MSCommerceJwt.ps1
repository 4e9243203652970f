function ConvertFrom-MSCommerceJwt {
    <#
    .SYNOPSIS
        Reads the claims of a JWT access token without verifying it.

    .DESCRIPTION
        Decodes the middle (base64url) part of the token and returns its claims as an object, or $null when the
        token is not a JWT. The module only uses the claims to describe the connection (tenant, account, expiry);
        the service verifies the token.

    .PARAMETER Token
        The access token.

    .EXAMPLE
        (ConvertFrom-MSCommerceJwt -Token $token).tid

        Returns the tenant ID the token is for.

    .OUTPUTS
        System.Management.Automation.PSCustomObject, or nothing.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)]
        [string]$Token
    )

    $parts = $Token.Split('.')
    if ($parts.Count -ne 3) {
        return $null
    }
    $payload = $parts[1].Replace('-', '+').Replace('_', '/')
    switch ($payload.Length % 4) {
        2 { $payload += '==' }
        3 { $payload += '=' }
    }
    try {
        $json = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($payload))
        return ConvertFrom-Json -InputObject $json -ErrorAction Stop
    }
    catch {
        Write-Debug -Message "The access token is not a readable JWT: $($_.Exception.Message)"
        return $null
    }
}
