function Add-MSCommerceCsvBody {
    <#
    .SYNOPSIS
        Appends the rows of one CSV file, without its header line, to another CSV file.

    .DESCRIPTION
        Export-MSCommerceLicenseUser sends at most 1000 subscription IDs per request (the service's limit) and
        writes each answer to its own file. This joins the answers into one CSV with one header: the bytes of
        -SourcePath after its first line feed are copied to the end of -Path, in blocks, so a large export needs
        little memory. The header of the service's CSV is one line (its fields hold no line break), and every
        line ends with CR LF, so the copied rows keep their line endings as the service wrote them.

    .PARAMETER Path
        The file to append to.

    .PARAMETER SourcePath
        The file whose rows are appended.

    .EXAMPLE
        Add-MSCommerceCsvBody -Path $combined -SourcePath $part

        Appends the rows of $part to $combined.

    .OUTPUTS
        None.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [string]$Path,

        [Parameter(Mandatory)]
        [string]$SourcePath
    )

    $source = [System.IO.File]::OpenRead($SourcePath)
    try {
        # Skip the header line: everything up to and including the first line feed.
        $byte = 0
        while ($byte -ne -1 -and $byte -ne 10) {
            $byte = $source.ReadByte()
        }
        if ($byte -eq -1) {
            return
        }
        $target = New-Object -TypeName System.IO.FileStream -ArgumentList $Path, ([System.IO.FileMode]::Append), ([System.IO.FileAccess]::Write)
        try {
            $source.CopyTo($target)
        }
        finally {
            $target.Dispose()
        }
    }
    finally {
        $source.Dispose()
    }
}
