# Microsoft's module keeps the token as $token in the caller's session state and reads it back from there
# ($PSCmdlet.SessionState.PSVariable): scripts written for it use $token after connecting, or set it themselves.

BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
    $script:password = ConvertTo-SecureString -String 'P@ssw0rd-for-tests' -AsPlainText -Force
    $script:credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList 'admin@contoso.onmicrosoft.com', $script:password
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'The $token variable of scripts written for Microsoft''s module' {
    BeforeEach {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock { $script:MSCommerceConnection = $null }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/oauth2/v2.0/token' } -MockWith {
            [pscustomobject]@{ token_type = 'Bearer'; access_token = 'issued-token'; expires_in = 3600 }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Path -eq '/v1.0/policies' } -MockWith {
            [pscustomobject]@{ items = @() }
        }
    }

    It 'Should set $token for the caller on Connect-MSCommerce, as Microsoft''s module does' {
        $token = $null
        Connect-MSCommerce -Uri 'http://mscommerce.test' -Credential $credential 6>$null
        $token | Should -Be 'issued-token'
    }

    It 'Should use a string $token of the caller when not connected and no -Token is given' {
        $token = 'token-from-get-msaltoken'
        $null = Get-MSCommercePolicies
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies' -and $Token -eq 'token-from-get-msaltoken'
        }
    }

    It 'Should prefer -Token to $token' {
        $token = 'token-from-get-msaltoken'
        $null = Get-MSCommercePolicies -Token 'explicit-token'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies' -and $Token -eq 'explicit-token'
        }
    }

    It 'Should prefer the connection to $token, so that a renewed token is used' {
        Connect-MSCommerce -Uri 'http://mscommerce.test' -Credential $credential 6>$null
        $token = 'stale-token'
        $null = Get-MSCommercePolicies
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/policies' -and [string]::IsNullOrEmpty($Token)
        }
    }

    It 'Should ignore a $token that is not a string' {
        $token = [pscustomobject]@{ AccessToken = 'inside-an-object' }
        { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
    }

    It 'Should take back the $token it gave on Disconnect-MSCommerce' {
        Connect-MSCommerce -Uri 'http://mscommerce.test' -Credential $credential 6>$null
        Disconnect-MSCommerce
        $token | Should -BeNullOrEmpty
        { Get-MSCommercePolicies } | Should -Throw -ExpectedMessage 'You must call the Connect-MSCommerce cmdlet before calling any other cmdlets'
    }
}
