function ConvertTo-MSCommerceLicenseRequestSetting {
    <#
    .SYNOPSIS
        Turns the license request settings of the service's answer into an MSCommerce.LicenseRequestSetting.

    .DESCRIPTION
        UseOrganizationProcess is a Boolean; Message and Link stay $null when the service gives none (its null).

    .PARAMETER InputObject
        The settings as the service answers them.

    .EXAMPLE
        ConvertTo-MSCommerceLicenseRequestSetting -InputObject $answer

        Converts the settings.

    .OUTPUTS
        MSCommerce.LicenseRequestSetting.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.LicenseRequestSetting')]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject]$InputObject
    )

    process {
        [pscustomobject]@{
            PSTypeName             = 'MSCommerce.LicenseRequestSetting'
            UseOrganizationProcess = [bool]$InputObject.useOrganizationProcess
            Message                = $InputObject.message
            Link                   = $InputObject.link
        }
    }
}
