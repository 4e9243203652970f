function Get-MSCommerceRandomString {
    <#
    .SYNOPSIS
        Returns a base64url string of random bytes from the operating system's generator.

    .DESCRIPTION
        Used for the PKCE code verifier and for the state and nonce of a browser sign-in, which must not be
        guessable (RFC 7636 section 7.1; RFC 6749 section 10.12). 32 bytes give 43 characters.

    .PARAMETER ByteCount
        How many random bytes to draw.

    .EXAMPLE
        Get-MSCommerceRandomString -ByteCount 16

        Returns 22 random base64url characters.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [ValidateRange(1, 1024)]
        [int]$ByteCount = 32
    )

    $bytes = New-Object -TypeName 'byte[]' -ArgumentList $ByteCount
    $generator = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try {
        $generator.GetBytes($bytes)
    }
    finally {
        $generator.Dispose()
    }
    return ConvertTo-MSCommerceBase64Url -Bytes $bytes
}
