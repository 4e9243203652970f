function ConvertFrom-MSCommerceSecureString {
    <#
    .SYNOPSIS
        Returns the plain text of a SecureString.

    .DESCRIPTION
        Uses System.Net.NetworkCredential, which works the same on Windows PowerShell 5.1 and on PowerShell 7 on
        every operating system (Marshal.SecureStringToBSTR does not on Linux and macOS). Used only to build the
        token request form.

    .PARAMETER SecureString
        The secret.

    .EXAMPLE
        ConvertFrom-MSCommerceSecureString -SecureString $secret

        Returns the secret as a string.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [System.Security.SecureString]$SecureString
    )

    $credential = New-Object -TypeName System.Net.NetworkCredential -ArgumentList '', $SecureString
    return $credential.Password
}
