function ConvertFrom-MSCommerceResponseContent {
    <#
    .SYNOPSIS
        Decodes the body of a successful answer as UTF-8 JSON.

    .DESCRIPTION
        Reads the raw bytes of the answer (RawContentStream, present on Windows PowerShell 5.1 and PowerShell 7)
        and decodes them as UTF-8, ignoring the charset the answer announces or omits. An empty body gives $null.
        A body that is not JSON becomes a terminating ErrorRecord 'InvalidResponse' (category InvalidResult).

    .PARAMETER Response
        What Invoke-WebRequest returned.

    .PARAMETER Context
        The first part of the error message, as in Microsoft's module.

    .EXAMPLE
        ConvertFrom-MSCommerceResponseContent -Response $response -Context 'Failed to retrieve policies'

        Returns the answer as objects.

    .OUTPUTS
        System.Management.Automation.PSObject, or nothing for an empty body.
    #>
    [CmdletBinding()]
    [OutputType([psobject])]
    param(
        [Parameter(Mandatory)]
        [object]$Response,

        [Parameter(Mandatory)]
        [string]$Context
    )

    $text = $null
    if ($null -ne $Response.RawContentStream) {
        $text = [System.Text.Encoding]::UTF8.GetString($Response.RawContentStream.ToArray())
    }
    else {
        $text = [string]$Response.Content
    }
    $text = $text.TrimStart([char]0xFEFF)
    if ([string]::IsNullOrWhiteSpace($text)) {
        return $null
    }

    try {
        return ConvertFrom-Json -InputObject $text -ErrorAction Stop
    }
    catch {
        $excerpt = $text
        if ($excerpt.Length -gt 200) {
            $excerpt = $excerpt.Substring(0, 200)
        }
        $splatError = @{
            Message        = '{0}, ErrorMessage - The answer is not JSON. ErrorDetails - {1}' -f $Context, $excerpt
            ErrorId        = 'InvalidResponse'
            Category       = 'InvalidResult'
            InnerException = $_.Exception
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }
}
