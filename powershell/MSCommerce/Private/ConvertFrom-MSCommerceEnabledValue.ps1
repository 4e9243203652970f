function ConvertFrom-MSCommerceEnabledValue {
    <#
    .SYNOPSIS
        Maps the -Enabled value of Microsoft's toggle parameter sets to a policy value.

    .DESCRIPTION
        Like Microsoft's module: 'True' (what $true binds as) gives Enabled and 'False' gives Disabled, compared
        case-insensitively; anything else gives $null, and the caller reports Microsoft's message
        'Value of $Enabled must be one of the following: $True, $true, $False, $false'.

    .PARAMETER Enabled
        The value given to -Enabled.

    .EXAMPLE
        ConvertFrom-MSCommerceEnabledValue -Enabled $false

        Returns 'Disabled'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [string]$Enabled
    )

    if ($Enabled -eq 'True') {
        return 'Enabled'
    }
    if ($Enabled -eq 'False') {
        return 'Disabled'
    }
    return $null
}
