function Resolve-MSCommerceNextLink {
    <#
    .SYNOPSIS
        Turns the nextLink of a paged answer into the URL of the next request.

    .DESCRIPTION
        A nextLink on the scheme, host and port of the base URI is used as it is. Any other absolute link, and a
        relative one, is rebased: its path and query are appended to the base URI. The bearer token therefore
        never leaves the service the user connected to, and a service that names itself differently (127.0.0.1
        instead of localhost, an inner address behind a proxy) still pages correctly.

    .PARAMETER NextLink
        The nextLink value of the answer.

    .PARAMETER BaseUri
        The base URI of the current request.

    .EXAMPLE
        Resolve-MSCommerceNextLink -NextLink 'http://127.0.0.1:8080/v1.0/auditLogs/policyChanges?skipToken=42' -BaseUri 'http://localhost:8080'

        Returns 'http://localhost:8080/v1.0/auditLogs/policyChanges?skipToken=42'.

    .OUTPUTS
        System.String.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string]$NextLink,

        [Parameter(Mandatory)]
        [string]$BaseUri
    )

    $base = [uri]$BaseUri
    $link = $null
    if ([uri]::TryCreate($NextLink, [System.UriKind]::Absolute, [ref]$link)) {
        $sameOrigin = $link.Scheme -eq $base.Scheme -and $link.Host -eq $base.Host -and $link.Port -eq $base.Port
        if ($sameOrigin) {
            return $NextLink
        }
        Write-Verbose -Message "nextLink '$NextLink' names another origin; rebasing it onto '$BaseUri'."
        return $BaseUri.TrimEnd('/') + $link.PathAndQuery
    }
    return $BaseUri.TrimEnd('/') + '/' + $NextLink.TrimStart('/')
}
