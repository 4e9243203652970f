function ConvertTo-MSCommerceDecimal {
    <#
    .SYNOPSIS
        Reads a decimal string of the service's answer (a price such as '16.80') as a Decimal.

    .DESCRIPTION
        The service writes prices as decimal strings with a dot, whatever the culture. They are read with the
        invariant culture, so '16.80' is 16.80 on a German or French system too, and become Decimal values that
        sort, compare and sum as numbers (Measure-Object -Sum, Sort-Object). $null, an empty string or text that
        is not a number gives $null.

    .PARAMETER Value
        The value as the answer holds it.

    .EXAMPLE
        ConvertTo-MSCommerceDecimal -Value '16.80'

        Returns 16.80 (Decimal).

    .OUTPUTS
        System.Decimal.
    #>
    [CmdletBinding()]
    [OutputType([decimal])]
    param(
        [AllowNull()]
        [object]$Value
    )

    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [decimal]) {
        return $Value
    }
    $text = [string]$Value
    $parsed = [decimal]0
    $styles = [System.Globalization.NumberStyles]::Number
    $culture = [System.Globalization.CultureInfo]::InvariantCulture
    if ([decimal]::TryParse($text, $styles, $culture, [ref]$parsed)) {
        return $parsed
    }
    return $null
}
