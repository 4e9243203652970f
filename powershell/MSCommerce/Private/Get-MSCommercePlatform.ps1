function Get-MSCommercePlatform {
    <#
    .SYNOPSIS
        Returns 'Windows', 'MacOS' or 'Linux'.

    .DESCRIPTION
        Windows PowerShell 5.1 (the Desktop edition) runs only on Windows and has no $IsWindows; PowerShell 7 has
        $IsWindows, $IsMacOS and $IsLinux.

    .EXAMPLE
        Get-MSCommercePlatform

        Returns 'Linux' on Linux.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param()

    if ($PSVersionTable.PSEdition -ne 'Core' -or $IsWindows) {
        return 'Windows'
    }
    if ($IsMacOS) {
        return 'MacOS'
    }
    return 'Linux'
}
