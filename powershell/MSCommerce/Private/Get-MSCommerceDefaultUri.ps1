function Get-MSCommerceDefaultUri {
    <#
    .SYNOPSIS
        Returns the service address used when none is given.

    .DESCRIPTION
        The value of the environment variable MSCOMMERCE_URI when it is set, else http://localhost:8080 (where
        'mscommerce serve' listens by default). A trailing slash is removed.

    .EXAMPLE
        Get-MSCommerceDefaultUri

        Returns 'http://localhost:8080' when MSCOMMERCE_URI is not set.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if (-not [string]::IsNullOrWhiteSpace($env:MSCOMMERCE_URI)) {
        return $env:MSCOMMERCE_URI.Trim().TrimEnd('/')
    }
    return 'http://localhost:8080'
}
