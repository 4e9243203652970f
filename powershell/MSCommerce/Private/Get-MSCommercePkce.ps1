function Get-MSCommercePkce {
    <#
    .SYNOPSIS
        Returns a PKCE code verifier and its S256 code challenge (RFC 7636).

    .DESCRIPTION
        The verifier is 32 random bytes in base64url, 43 characters of the unreserved set (RFC 7636 section 4.1
        allows 43 to 128). The challenge is BASE64URL(SHA256(ASCII(verifier))) (section 4.2, method S256; the
        service refuses the plain method). With -Verifier the challenge of that verifier is computed instead, which is how
        the test of appendix B's vector calls it.

    .PARAMETER Verifier
        A verifier to compute the challenge of, instead of a new random one.

    .EXAMPLE
        $pkce = Get-MSCommercePkce

        $pkce.Verifier goes to the token request, $pkce.Challenge to the authorization request.

    .EXAMPLE
        (Get-MSCommercePkce -Verifier 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk').Challenge

        Returns 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' (RFC 7636 appendix B).

    .OUTPUTS
        System.Management.Automation.PSCustomObject with Verifier, Challenge and Method ('S256').
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [ValidatePattern('^[A-Za-z0-9\-._~]{43,128}$')]
        [string]$Verifier
    )

    if (-not $PSBoundParameters.ContainsKey('Verifier')) {
        $Verifier = Get-MSCommerceRandomString -ByteCount 32
    }
    $sha256 = [System.Security.Cryptography.SHA256]::Create()
    try {
        $digest = $sha256.ComputeHash([System.Text.Encoding]::ASCII.GetBytes($Verifier))
    }
    finally {
        $sha256.Dispose()
    }
    [pscustomobject]@{
        Verifier  = $Verifier
        Challenge = ConvertTo-MSCommerceBase64Url -Bytes $digest
        Method    = 'S256'
    }
}
