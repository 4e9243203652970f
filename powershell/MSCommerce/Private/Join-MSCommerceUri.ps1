function Join-MSCommerceUri {
    <#
    .SYNOPSIS
        Builds a request URL from a base URI, a path template and query parameters.

    .DESCRIPTION
        Replaces each {name} segment of -Path with the URL-escaped value of -PathParameter[name], appends the
        result to -BaseUri and adds -Query as an escaped query string. A template segment left without a value, or
        given an empty one, is an error: it would address another resource.

    .PARAMETER BaseUri
        The service address, for example http://localhost:8080.

    .PARAMETER Path
        The path template, for example '/v1.0/policies/{policyId}'.

    .PARAMETER PathParameter
        The values of the template segments.

    .PARAMETER Query
        The query string parameters.

    .EXAMPLE
        Join-MSCommerceUri -BaseUri 'http://localhost:8080' -Path '/v1.0/policies/{policyId}/products' -PathParameter @{ policyId = 'AllowSelfServicePurchase' } -Query @{ scope = 'product' }

        Returns 'http://localhost:8080/v1.0/policies/AllowSelfServicePurchase/products?scope=product'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string]$BaseUri,

        [Parameter(Mandatory)]
        [string]$Path,

        [System.Collections.IDictionary]$PathParameter,

        [System.Collections.IDictionary]$Query
    )

    $resolvedPath = $Path
    if ($null -ne $PathParameter) {
        foreach ($name in $PathParameter.Keys) {
            $value = [string]$PathParameter[$name]
            if ([string]::IsNullOrEmpty($value)) {
                throw "The path parameter '$name' of '$Path' is empty."
            }
            $resolvedPath = $resolvedPath.Replace('{' + $name + '}', [uri]::EscapeDataString($value))
        }
    }
    if ($resolvedPath -match '\{[^}]*\}') {
        throw "The path '$Path' has a segment without a value: $($Matches[0])."
    }

    $uri = $BaseUri.TrimEnd('/') + $resolvedPath
    if ($null -ne $Query -and $Query.Count -gt 0) {
        $pairs = foreach ($name in $Query.Keys) {
            '{0}={1}' -f [uri]::EscapeDataString([string]$name), [uri]::EscapeDataString([string]$Query[$name])
        }
        $uri = $uri + '?' + ($pairs -join '&')
    }
    return $uri
}
