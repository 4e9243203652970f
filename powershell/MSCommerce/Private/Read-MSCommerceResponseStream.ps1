function Read-MSCommerceResponseStream {
    <#
    .SYNOPSIS
        Reads the body of an error answer from a WebResponse (Windows PowerShell 5.1).

    .DESCRIPTION
        Rewinds the response stream when it can and reads it as UTF-8. Returns an empty string when the stream
        is gone or unreadable.

    .PARAMETER Response
        The WebException's Response.

    .EXAMPLE
        Read-MSCommerceResponseStream -Response $_.Exception.Response

        Returns the JSON error body.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [System.Net.WebResponse]$Response
    )

    try {
        $stream = $Response.GetResponseStream()
        if ($stream.CanSeek) {
            $null = $stream.Seek(0, [System.IO.SeekOrigin]::Begin)
        }
        $reader = New-Object -TypeName System.IO.StreamReader -ArgumentList $stream, ([System.Text.Encoding]::UTF8)
        try {
            return $reader.ReadToEnd()
        }
        finally {
            $reader.Dispose()
        }
    }
    catch {
        Write-Debug -Message "The error body cannot be read: $($_.Exception.Message)"
        return ''
    }
}
