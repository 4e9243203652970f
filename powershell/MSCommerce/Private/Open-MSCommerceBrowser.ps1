function Open-MSCommerceBrowser {
    <#
    .SYNOPSIS
        Opens a URL in the system's default web browser.

    .DESCRIPTION
        Start-Process on the URL on Windows (the shell opens it with the default browser), 'open' on macOS and
        'xdg-open' on Linux. The browser runs on its own; this does not wait for it.

    .PARAMETER Uri
        The address to open.

    .EXAMPLE
        Open-MSCommerceBrowser -Uri 'http://localhost:8080/common/oauth2/v2.0/authorize?client_id=...'

        Opens the sign-in page.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [string]$Uri
    )

    switch (Get-MSCommercePlatform) {
        'Windows' {
            Start-Process -FilePath $Uri
        }
        'MacOS' {
            Start-Process -FilePath 'open' -ArgumentList ('"{0}"' -f $Uri)
        }
        default {
            Start-Process -FilePath 'xdg-open' -ArgumentList ('"{0}"' -f $Uri)
        }
    }
}
