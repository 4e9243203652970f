function Get-MSCommerceBaseUri {
    <#
    .SYNOPSIS
        Returns the service address a request goes to.

    .DESCRIPTION
        -BaseUri when given, else the address of the current connection, else the default address
        ($env:MSCOMMERCE_URI, else http://localhost:8080). A command called with -Token and no connection therefore
        reaches the default address.

    .PARAMETER BaseUri
        An address that overrides the others.

    .EXAMPLE
        Get-MSCommerceBaseUri

        Returns the address of the current connection.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string]$BaseUri
    )

    if (-not [string]::IsNullOrEmpty($BaseUri)) {
        return $BaseUri.TrimEnd('/')
    }
    if ($null -ne $script:MSCommerceConnection) {
        return $script:MSCommerceConnection.Uri
    }
    return Get-MSCommerceDefaultUri
}
