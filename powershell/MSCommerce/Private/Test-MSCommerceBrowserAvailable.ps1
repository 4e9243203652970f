function Test-MSCommerceBrowserAvailable {
    <#
    .SYNOPSIS
        Tells whether this computer can open a web browser for a sign-in.

    .DESCRIPTION
        Windows always can (Start-Process on a URL opens the default browser). macOS can when 'open' exists.
        Linux can when 'xdg-open' exists and a graphical session is there (DISPLAY or WAYLAND_DISPLAY set): on
        a server over SSH there is none, and the sign-in must use -UseDeviceCode instead.

    .EXAMPLE
        Test-MSCommerceBrowserAvailable

        Returns $false in an SSH session on a Linux server.

    .OUTPUTS
        System.Boolean.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param()

    $platform = Get-MSCommercePlatform
    if ($platform -eq 'Windows') {
        return $true
    }
    if ($platform -eq 'MacOS') {
        return $null -ne (Get-Command -Name 'open' -CommandType Application -ErrorAction SilentlyContinue)
    }
    $graphical = -not [string]::IsNullOrEmpty($env:DISPLAY) -or -not [string]::IsNullOrEmpty($env:WAYLAND_DISPLAY)
    $opener = Get-Command -Name 'xdg-open' -CommandType Application -ErrorAction SilentlyContinue
    return $graphical -and $null -ne $opener
}
