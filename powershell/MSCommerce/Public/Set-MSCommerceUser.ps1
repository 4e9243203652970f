function Set-MSCommerceUser {
    <#
    .SYNOPSIS
        Changes a user: name, type, enabled or disabled, password, roles.

    .DESCRIPTION
        Calls PATCH /v1.0/users/{userId} with the fields given, and only those; at least one is needed, which is
        checked before anything is sent. -AccountEnabled $false disables the account: its tokens are refused on
        the next request. Only a Global Administrator changes roles; a User Administrator changes only users who
        hold no role or the User Administrator role (403 otherwise, as in Entra ID). Needs Global Administrator or
        User Administrator.

    .PARAMETER UserId
        The user's object ID. Binds from the UserId property of piped objects (Get-MSCommerceUser).

    .PARAMETER DisplayName
        The new display name.

    .PARAMETER UserType
        Member or Guest.

    .PARAMETER AccountEnabled
        $false disables the account, $true enables it again.

    .PARAMETER Password
        A new password: at least 12 characters, not a common password.

    .PARAMETER Role
        The user's roles from now on (replaces them all; @() takes every role away).

    .PARAMETER Token
        An access token to use instead of the one Connect-MSCommerce obtained.

    .EXAMPLE
        Get-MSCommerceUser | Where-Object -Property UserType -EQ 'Guest' | Set-MSCommerceUser -AccountEnabled $false -WhatIf

        Shows which guest accounts would be disabled.

    .EXAMPLE
        Set-MSCommerceUser -UserId $id -Role 'BillingAdministrator'

        Makes a user a Billing Administrator (and nothing else).

    .INPUTS
        System.String. User IDs, by property name (UserId).

    .OUTPUTS
        MSCommerce.User. The user as it now is.
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MSCommerce.User')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string]$UserId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string]$DisplayName,

        [Parameter()]
        [ValidateSet('Member', 'Guest')]
        [string]$UserType,

        [Parameter()]
        [bool]$AccountEnabled,

        [Parameter()]
        [System.Security.SecureString]$Password,

        [Parameter()]
        [AllowEmptyCollection()]
        [string[]]$Role,

        [Parameter()]
        [string]$Token
    )

    begin {
        $Token = Get-MSCommerceCallerToken -Token $Token -SessionState $PSCmdlet.SessionState
        $body = @{}
        $changes = @()
        if ($PSBoundParameters.ContainsKey('DisplayName')) {
            $body['displayName'] = $DisplayName
            $changes += "display name '$DisplayName'"
        }
        if ($PSBoundParameters.ContainsKey('UserType')) {
            $body['userType'] = $UserType
            $changes += "type $UserType"
        }
        if ($PSBoundParameters.ContainsKey('AccountEnabled')) {
            $body['accountEnabled'] = $AccountEnabled
            if ($AccountEnabled) {
                $changes += 'enable the account'
            }
            else {
                $changes += 'disable the account'
            }
        }
        if ($PSBoundParameters.ContainsKey('Password')) {
            $body['password'] = ConvertFrom-MSCommerceSecureString -SecureString $Password
            $changes += 'a new password'
        }
        if ($PSBoundParameters.ContainsKey('Role')) {
            $body['roles'] = @($Role)
            $changes += "roles: $(@($Role) -join ', ')"
        }
        if ($changes.Count -eq 0) {
            $splatError = @{
                Message           = 'Nothing to change: give at least one of -DisplayName, -UserType, -AccountEnabled, -Password and -Role.'
                ErrorId           = 'NothingToChange'
                Category          = 'InvalidArgument'
                RecommendedAction = 'Add the change to make.'
            }
            $PSCmdlet.ThrowTerminatingError((New-MSCommerceErrorRecord @splatError))
        }
    }

    process {
        if (-not $PSCmdlet.ShouldProcess("User '$UserId'", "Change it: $($changes -join '; ')")) {
            return
        }
        $splatRest = @{
            Method        = 'PATCH'
            Path          = '/v1.0/users/{userId}'
            PathParameter = @{ userId = $UserId }
            Body          = $body
            Token         = $Token
            ErrorContext  = "Failed to change user '$UserId'"
            TargetObject  = $UserId
        }
        try {
            Invoke-MSCommerceRestMethod @splatRest | ConvertTo-MSCommerceUser
        }
        catch {
            Write-MSCommerceError -ErrorRecord $_ -Cmdlet $PSCmdlet
        }
    }
}
