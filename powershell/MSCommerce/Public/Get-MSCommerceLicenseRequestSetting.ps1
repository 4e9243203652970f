function Get-MSCommerceLicenseRequestSetting {
    <#
    .SYNOPSIS
        Reads how the organization takes license requests: here, or through its own process.

    .DESCRIPTION
        Calls GET /v1.0/licenseRequestSettings. UseOrganizationProcess $false (the default) means that users whom
        the policy does not let buy a product may ask for a license here (New-MSCommerceLicenseRequest). $true
        means that the organization takes requests elsewhere: new requests are refused with
        OrganizationRequestProcess, and users are shown Message and Link instead (for example the service desk's
        form); requests made before stay until they are answered. Any signed-in user may read it.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceLicenseRequestSetting

        Shows whether requests are taken here, and the message and link users see otherwise.

    .EXAMPLE
        Get-MSCommerceLicenseRequestSetting | Where-Object -Property UseOrganizationProcess | Select-Object -ExpandProperty Link

        Shows where users are sent to ask for licenses, when it is not here.

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.LicenseRequestSetting. Properties: UseOrganizationProcess, Message, Link.
    #>
    [CmdletBinding()]
    [OutputType('MSCommerce.LicenseRequestSetting')]
    param(
        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    $splatRest = @{
        Method       = 'GET'
        Path         = '/v1.0/licenseRequestSettings'
        Token        = $Token
        ErrorContext = 'Failed to retrieve the license request settings'
    }
    try {
        $settings = Invoke-MSCommerceRestMethod @splatRest
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    ConvertTo-MSCommerceLicenseRequestSetting -InputObject $settings
}
