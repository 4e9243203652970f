function Set-MSCommerceLicenseRequestSetting {
    <#
    .SYNOPSIS
        Chooses how the organization takes license requests: here, or through its own process.

    .DESCRIPTION
        Calls PUT /v1.0/licenseRequestSettings with {"useOrganizationProcess", "message", "link"}. The service
        replaces all three, so only what is given changes: when one of them is not given, the command first reads
        the current settings (GET /v1.0/licenseRequestSettings) and sends that value back as it was. At least one
        is needed, which is checked before anything is sent (NothingToChange).

        -UseOrganizationProcess $true sends users elsewhere: new requests are refused with
        OrganizationRequestProcess and users are shown -Message and -Link instead; requests made before stay until
        they are answered; the service refuses it without a message or a link, and a link that is not http(s)
        (InvalidRequestProcess). -UseOrganizationProcess $false takes requests here again. An empty -Message or
        -Link clears it. -WhatIf shows the change and sends nothing, not even the read. Needs Global Administrator or
        License Administrator.

    .PARAMETER UseOrganizationProcess
        $true: the organization takes license requests through its own process (-Message, -Link); $false: users
        ask here (New-MSCommerceLicenseRequest).

    .PARAMETER Message
        What users are told instead of being able to ask here, for example where to ask. An empty string clears
        it.

    .PARAMETER Link
        The address of the organization's own process (its request form). An empty string clears it.

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $true -Message 'Ask the service desk for software.' -Link 'https://servicedesk.contoso.com/software'

        Sends users to the service desk's form instead of taking requests here.

    .EXAMPLE
        Get-MSCommerceLicenseRequestSetting | Where-Object -Property UseOrganizationProcess | ForEach-Object -Process { Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -WhatIf }

        Shows that requests would be taken here again, without changing anything.

    .INPUTS
        None.

    .OUTPUTS
        MSCommerce.LicenseRequestSetting. The settings as they now are.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.LicenseRequestSetting')]
    param(
        [Parameter()]
        [bool]$UseOrganizationProcess,

        [Parameter()]
        [AllowEmptyString()]
        [string]$Message,

        [Parameter()]
        [AllowEmptyString()]
        [string]$Link,

        [Parameter()]
        [string]$Token
    )

    $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
    $given = @(foreach ($name in @('UseOrganizationProcess', 'Message', 'Link')) {
            if ($PSBoundParameters.ContainsKey($name)) {
                $name
            }
        })
    if ($given.Count -eq 0) {
        $splatError = @{
            Message           = 'Nothing to change: give at least one of -UseOrganizationProcess, -Message and -Link.'
            ErrorId           = 'NothingToChange'
            Category          = 'InvalidArgument'
            RecommendedAction = 'Add the change to make.'
        }
        $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
    }

    $changes = @()
    if ($PSBoundParameters.ContainsKey('UseOrganizationProcess')) {
        if ($UseOrganizationProcess) {
            $changes += "take requests through the organization's own process"
        }
        else {
            $changes += 'take requests here'
        }
    }
    if ($PSBoundParameters.ContainsKey('Message')) {
        if ($Message) {
            $changes += "message '$Message'"
        }
        else {
            $changes += 'no message'
        }
    }
    if ($PSBoundParameters.ContainsKey('Link')) {
        if ($Link) {
            $changes += "link '$Link'"
        }
        else {
            $changes += 'no link'
        }
    }
    if (-not $PSCmdlet.ShouldProcess('License request settings of the organization', "Set them: $($changes -join '; ')")) {
        return
    }

    try {
        $current = $null
        if ($given.Count -lt 3) {
            $splatRead = @{
                Method       = 'GET'
                Path         = '/v1.0/licenseRequestSettings'
                Token        = $Token
                ErrorContext = 'Failed to retrieve the license request settings'
            }
            $current = Invoke-MSCommerceRestMethod @splatRead
        }
        $body = @{
            useOrganizationProcess = [bool]$current.useOrganizationProcess
            message                = $current.message
            link                   = $current.link
        }
        if ($PSBoundParameters.ContainsKey('UseOrganizationProcess')) {
            $body['useOrganizationProcess'] = $UseOrganizationProcess
        }
        # An empty string clears the value: the service's "none" is null.
        if ($PSBoundParameters.ContainsKey('Message')) {
            $body['message'] = $null
            if ($Message) {
                $body['message'] = $Message
            }
        }
        if ($PSBoundParameters.ContainsKey('Link')) {
            $body['link'] = $null
            if ($Link) {
                $body['link'] = $Link
            }
        }
        $splatWrite = @{
            Method       = 'PUT'
            Path         = '/v1.0/licenseRequestSettings'
            Body         = $body
            Token        = $Token
            ErrorContext = 'Failed to change the license request settings'
        }
        $settings = Invoke-MSCommerceRestMethod @splatWrite
    }
    catch {
        $PSCmdlet.ThrowTerminatingError($_)
    }
    if ($null -eq $settings) {
        # An answer without a body: the settings are what was sent.
        $settings = [pscustomobject]$body
    }
    ConvertTo-MSCommerceLicenseRequestSetting -InputObject $settings
}
