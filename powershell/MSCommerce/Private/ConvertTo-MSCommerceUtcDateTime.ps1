function ConvertTo-MSCommerceUtcDateTime {
    <#
    .SYNOPSIS
        Turns an RFC 3339 timestamp (string or DateTime) into a UTC DateTime.

    .DESCRIPTION
        Accepts what ConvertFrom-Json produces on either edition: a string on Windows PowerShell 5.1, a DateTime
        on PowerShell 7. Returns $null for $null or an empty string.

    .PARAMETER Value
        The timestamp.

    .EXAMPLE
        ConvertTo-MSCommerceUtcDateTime -Value '2026-11-25T06:30:00Z'

        Returns 25 November 2026 06:30:00 (Kind Utc).

    .OUTPUTS
        System.DateTime.
    #>
    [CmdletBinding()]
    [OutputType([datetime])]
    param(
        [AllowNull()]
        [object]$Value
    )

    if ($null -eq $Value -or [string]::IsNullOrEmpty([string]$Value)) {
        return $null
    }
    if ($Value -is [datetime]) {
        return $Value.ToUniversalTime()
    }
    $styles = [System.Globalization.DateTimeStyles]'AdjustToUniversal, AssumeUniversal'
    $culture = [System.Globalization.CultureInfo]::InvariantCulture
    return [datetime]::Parse([string]$Value, $culture, $styles)
}
