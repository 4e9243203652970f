function ConvertFrom-MSCommerceQueryString {
    <#
    .SYNOPSIS
        Parses a URL query string into a dictionary.

    .DESCRIPTION
        Reads 'a=1&b=x%20y' (with or without the leading '?') as the browser sends it to the loopback redirect:
        names and values are percent-decoded and '+' is a space (application/x-www-form-urlencoded). The first
        value of a repeated name wins. Written here because System.Web.HttpUtility needs loading on Windows
        PowerShell 5.1.

    .PARAMETER Query
        The query string.

    .EXAMPLE
        ConvertFrom-MSCommerceQueryString -Query '?code=abc&state=xyz'

        Returns @{ code = 'abc'; state = 'xyz' }.

    .OUTPUTS
        System.Collections.Specialized.OrderedDictionary.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [AllowEmptyString()]
        [string]$Query
    )

    $result = [ordered]@{}
    $text = [string]$Query
    if ($text.StartsWith('?')) {
        $text = $text.Substring(1)
    }
    foreach ($pair in $text.Split('&')) {
        if ([string]::IsNullOrEmpty($pair)) {
            continue
        }
        $parts = $pair.Split([char[]]@('='), 2)
        $name = [uri]::UnescapeDataString($parts[0].Replace('+', ' '))
        $value = ''
        if ($parts.Count -gt 1) {
            $value = [uri]::UnescapeDataString($parts[1].Replace('+', ' '))
        }
        if (-not $result.Contains($name)) {
            $result[$name] = $value
        }
    }
    return $result
}
