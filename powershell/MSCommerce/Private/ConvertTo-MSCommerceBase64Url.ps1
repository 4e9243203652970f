function ConvertTo-MSCommerceBase64Url {
    <#
    .SYNOPSIS
        Encodes bytes as base64url without padding (RFC 4648 section 5).

    .DESCRIPTION
        The encoding of JWT parts (RFC 7515), of PKCE verifiers and challenges (RFC 7636) and of the x5t
        thumbprints of a client assertion.

    .PARAMETER Bytes
        The bytes to encode.

    .EXAMPLE
        ConvertTo-MSCommerceBase64Url -Bytes ([System.Text.Encoding]::UTF8.GetBytes('{"alg":"RS256"}'))

        Returns 'eyJhbGciOiJSUzI1NiJ9'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [AllowEmptyCollection()]
        [byte[]]$Bytes
    )

    return [System.Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}
